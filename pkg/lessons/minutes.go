package lessons

import "github.com/cnnlab/cnnlab/pkg/experiment"

// measuredMinutes is the one table of the lessons' wall times, in minutes,
// by preset, every run counted as trained (none reused from another
// lesson); minutesSource says how each preset's column was measured
// (docs/RESULTS.md, "Lesson times"). A preset missing from a lesson's row
// has not been measured; an empty row, a lesson not measured at all.
// register puts each lesson's row in its Measured field.
var measuredMinutes = map[string]map[experiment.Preset]float64{
	"data":           {experiment.Quick: 0.01, experiment.Standard: 0.02}, // facts only: standard measured whole too
	"first-cnn":      {experiment.Quick: 1.0, experiment.Standard: 16.0},
	"filter-size":    {experiment.Quick: 2.8, experiment.Standard: 51.6},
	"weight-init":    {experiment.Quick: 8.0, experiment.Standard: 121.3},
	"batchnorm":      {experiment.Quick: 4.5, experiment.Standard: 72.2},
	"shuffle":        {experiment.Quick: 2.9, experiment.Standard: 55.0},
	"batch-size":     {experiment.Quick: 6.6, experiment.Standard: 128.9},
	"lr-callbacks":   {experiment.Quick: 7.1, experiment.Standard: 33.5},
	"depth-stride":   {experiment.Quick: 7.0, experiment.Standard: 144.6},
	"gap":            {experiment.Quick: 2.1, experiment.Standard: 34.5},
	"regularization": {experiment.Quick: 6.5, experiment.Standard: 107.7},
	"lr-schedules":   {experiment.Quick: 9.2, experiment.Standard: 71.8},
	"augmentation":   {experiment.Quick: 8.7, experiment.Standard: 70.5},
	"fast":           {experiment.Quick: 7.5, experiment.Standard: 255.0}, // both measured 2026-12-08 (docs/RESULTS.md, "Lesson times")
}

// minutesSource says, by preset, how measuredMinutes was measured.
var minutesSource = map[experiment.Preset]string{
	experiment.Quick: "each lesson run whole (cnnlab lesson run all --preset quick) on a 2-core Intel Xeon",
	experiment.Standard: "projected by cnnlab lesson time all --preset standard on a 2-core Intel Xeon (AVX-512, the product build), " +
		"2026-12-07 (lesson 14, fast: 2026-12-08, after its model's copies were made faster): one timed epoch of each distinct run, " +
		"scaled to its 15 epochs (docs/RESULTS.md, \"Lesson times\")",
}

// MinutesSource says how the lessons' times in preset p were measured, ""
// where none were.
func MinutesSource(p experiment.Preset) string { return minutesSource[p] }
