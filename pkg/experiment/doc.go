// Package experiment is the engine that runs the course's lessons: a
// [Lesson] declares its runs (labels, models, training settings), the
// facts it shows (values and tables it computes) and the claims that its
// report checks against its own numbers; package experiment declares the
// course's lessons with these types.
//
// One shared runner, [Run], trains every run of a lesson with package fit,
// in one of four presets ([Smoke], [Quick], [Standard], [Full]: see
// [Presets]), over one or more seeds, and writes into an output folder:
//
//	runs/NN-label-seedS.json   one file per finished run, written atomically
//	results.json               every run, the facts and the verdicts
//
// A lesson killed midway and started again with the same folder skips the
// runs it already has (a run killed during training resumes from its last
// epoch's checkpoint) and gives the same results. [Options].Shard runs only
// every N-th run, so that the runs of a lesson can be spread over several
// processes or machines writing to one folder; [Merge] combines what is
// there. With [Options].Shared (ROOT/PRESET/_runs, [SharedDir]), a run
// is trained once for all lessons: each run has an identity from its
// settings ([RunID]: model, training settings, seed, the preset's sizes,
// the images), a run trained by one lesson is kept under it, and a later
// lesson planning the same run copies it. Package report renders
// [Results] as a self-contained report.html.
//
// The verdict of a claim ([Verdict]) compares the mean of a metric over
// seeds between two groups of runs, with the spread over seeds: "agrees
// with the course", "no clear difference at this size" or "contrary to the
// course". It is computed from the lesson's numbers, never written in.
// A comparison of runs below the size that can carry a verdict is "too
// small to judge" ([TooSmall]): in the smoke preset, with one seed, or
// when every run it reads is at chance. A run is at chance when its test
// accuracy is not above 1/10 by more than two binomial standard errors
// for its number of test images n: at most n/10 + 2·√(n·0.1·0.9) right
// answers ([AtChance]; 16 of 100, 1,060 of 10,000). One group at chance
// (a class-sorted order) is a measurement, not a reason to abstain.
// Accuracies are compared at the resolution of the measurement: an
// accuracy on n images moves in steps of 1/n, and a difference passes a
// threshold only by a whole step, never by floating-point rounding.
// Verdicts name what they measured in words: the metric's name, or the
// labels of fact values ([FactSpec].Labels).
package experiment
