package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cnnlab/cnnlab/pkg/backend"
	"github.com/cnnlab/cnnlab/pkg/experiment"
	"github.com/cnnlab/cnnlab/pkg/fit"
	"github.com/cnnlab/cnnlab/pkg/lessons"
	"github.com/cnnlab/cnnlab/pkg/report"
)

func init() {
	register(&command{
		name:    "lesson list",
		summary: "list the course's lessons with their number of runs and measured time in a preset",
		usage:   "[--preset quick]",
		run:     runLessonList,
	})
	register(&command{
		name:    "lesson run",
		summary: "run a lesson (or all) and write its results.json and report.html",
		usage:   "NAME|all [--preset " + strings.Join(experiment.Presets(), "|") + "] [--seeds K] [--data PATH] [--out ROOT] [--shard i/N] [--verbose 0|1|2] [--allow-imbalance]",
		run:     runLesson,
	})
	register(&command{
		name:    "lesson time",
		summary: "project a lesson's wall time on this machine from one timed epoch of each of its distinct runs",
		usage:   "NAME|all [--preset " + strings.Join(experiment.Presets(), "|") + "] [--seeds K] [--epochs 1] [--data PATH] [--allow-imbalance]",
		run:     runLessonTime,
	})
	register(&command{
		name:    "lesson report",
		summary: "merge the runs in a lesson's folder (e.g. from shards) into results.json and report.html",
		usage:   "--dir ROOT/PRESET/NAME [--data PATH] [--markdown]",
		run:     runLessonReport,
	})
	register(&command{
		name:    "lesson claims",
		summary: "print each lesson's claims judged at several presets side by side, as Markdown, from the results.json files (no data needed)",
		usage:   "[NAME ...] [--root ROOT] [--presets quick,standard]",
		run:     runLessonClaims,
	})
}

// presetFlag declares --preset.
func presetFlag(fs *flag.FlagSet) *string {
	return fs.String("preset", "", "lesson size: "+strings.Join(experiment.Presets(), ", ")+" (default: quick on a CPU, full on a GPU backend)")
}

// checkPreset rejects an unknown preset, listing the valid ones.
func checkPreset(p string) error {
	if p == "" {
		return nil
	}
	if _, err := experiment.SettingsFor(p); err != nil {
		return usageError("--preset: %v", err)
	}
	return nil
}

func runLessonList(fs *flag.FlagSet, args []string) error {
	preset := presetFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *preset == "" {
		*preset = string(experiment.Quick)
	}
	if err := checkPreset(*preset); err != nil {
		return err
	}
	s, _ := experiment.SettingsFor(*preset)
	p := experiment.Preset(*preset)
	fmt.Printf("%-3s %-15s %-5s %-11s %s\n", "#", "name", "runs", "time", "title")
	for _, l := range lessons.All() {
		fmt.Printf("%-3d %-15s %-5d %-11s %s\n", l.Number, l.Name, len(l.Plan(s)), formatMinutes(l.Minutes(p)), l.Heading())
	}
	fmt.Printf("\nruns and time: in the %s preset (%d seed(s)); time: every run trained, with the pure Go backend (docs/RESULTS.md); – where not measured\n", *preset, s.Seeds)
	if src := lessons.MinutesSource(p); src != "" {
		fmt.Printf("measured: %s\n", src)
	}
	return nil
}

// formatMinutes formats a measured time in minutes, "–" when not measured.
func formatMinutes(m float64, measured bool) string {
	switch {
	case !measured:
		return "–"
	case m < 0.1:
		return "< 0.1 min"
	case m < 60:
		return fmt.Sprintf("%.1f min", m)
	}
	return fmt.Sprintf("%.1f h", m/60)
}

func runLesson(fs *flag.FlagSet, args []string) error {
	preset := presetFlag(fs)
	seeds := fs.Int("seeds", 0, "seeds of the repeated runs (0: the preset's: quick 2, standard and full 3)")
	dataPath := dataFlag(fs)
	out := fs.String("out", filepath.Join("out", "lessons"), "results root: each lesson writes ROOT/PRESET/NAME (the layout notebooks use with CNNLAB_OUT=ROOT); runs shared between lessons are trained once, kept in ROOT/PRESET/_runs")
	shardFlag := fs.String("shard", "", "run only shard i of N (i/N: every N-th run from i), into the same --out")
	verbose := fs.Int("verbose", 2, "training progress: 0 none, 1 a live bar, 2 one line per epoch")
	allowImbalance := allowImbalanceFlag(fs)
	todo, err := parseLessonArgs(fs, args)
	if err != nil {
		return err
	}
	if err := checkPreset(*preset); err != nil {
		return err
	}
	if *seeds < 0 {
		return usageError("--seeds must not be negative, got %d", *seeds)
	}
	if *verbose < 0 || *verbose > 2 {
		return usageError("--verbose must be 0, 1 or 2, got %d", *verbose)
	}
	var shard experiment.Shard
	if *shardFlag != "" {
		var err error
		if shard, err = experiment.ParseShard(*shardFlag); err != nil {
			return usageError("--shard: %v", err)
		}
	}
	data, err := loadData(*dataPath)
	if err != nil {
		return err
	}
	if err := checkClasses(data, *allowImbalance); err != nil {
		return err
	}
	p, _, err := lessonPreset(*preset)
	if err != nil {
		return err
	}
	for _, l := range todo {
		dir := experiment.LessonDir(*out, p, l.Name)
		began := time.Now()
		opts := experiment.Options{Preset: p, Seeds: *seeds, Data: data, Out: dir, Shard: shard, Shared: experiment.SharedDir(dir),
			Reused: func(p experiment.Planned) {
				fmt.Printf("[%s] %s, seed %d: trained before with the same settings (%s)\n", l.Name, p.Run.Label, p.Seed, experiment.SharedDir(dir))
			},
			Log: os.Stdout, AfterRun: func(r *experiment.Results) error { return report.WriteLesson(dir, r) },
			Progress: func(p experiment.RunProgress) {
				eta := ""
				if p.ETA > 0 {
					eta = ", ETA " + fit.FormatETA(p.ETA)
				}
				fmt.Printf("[%s] run %d/%d: %s, seed %d%s\n", p.Lesson, p.Number, p.Total, p.Run.Run.Label, p.Run.Seed, eta)
			}}
		if *verbose > 0 {
			opts.FitProgress = func() fit.Progress { return fit.NewProgress(fit.Verbosity(*verbose), os.Stdout) }
		}
		r, err := experiment.Run(l, opts)
		if err != nil {
			return err
		}
		for _, v := range r.Verdicts {
			fmt.Printf("[%s] %s\n", l.Name, v)
		}
		status := ""
		if !r.Complete() {
			status = fmt.Sprintf(" (%d of %d runs: merge the shards with cnnlab lesson report --dir %s)", len(r.Runs), r.Planned, dir)
		}
		fmt.Printf("[%s] %s preset in %s%s\nreport: %s\n", l.Name, r.Settings.Preset, time.Since(began).Round(time.Second),
			status, filepath.Join(dir, "report.html"))
	}
	return nil
}

func runLessonTime(fs *flag.FlagSet, args []string) error {
	preset := presetFlag(fs)
	seeds := fs.Int("seeds", 0, "seeds of the repeated runs (0: the preset's)")
	epochs := fs.Int("epochs", 1, "epochs each distinct run trains to be timed")
	dataPath := dataFlag(fs)
	allowImbalance := allowImbalanceFlag(fs)
	todo, err := parseLessonArgs(fs, args)
	if err != nil {
		return err
	}
	if err := checkPreset(*preset); err != nil {
		return err
	}
	if *seeds < 0 {
		return usageError("--seeds must not be negative, got %d", *seeds)
	}
	if *epochs < 1 {
		return usageError("--epochs must be at least 1, got %d", *epochs)
	}
	data, err := loadData(*dataPath)
	if err != nil {
		return err
	}
	if err := checkClasses(data, *allowImbalance); err != nil {
		return err
	}
	p, info, err := lessonPreset(*preset)
	if err != nil {
		return err
	}
	tm := &experiment.Timer{Epochs: *epochs}
	var timings []*experiment.Timing
	for _, l := range todo {
		t, err := tm.Time(l, experiment.Options{Preset: p, Seeds: *seeds, Data: data, Out: os.TempDir(),
			Progress: func(r experiment.RunProgress) {
				fmt.Fprintf(os.Stderr, "[%s] timing %d/%d: %s\n", r.Lesson, r.Number, r.Total, r.Run.Run.Label)
			}})
		if err != nil {
			return err
		}
		timings = append(timings, t)
		fmt.Printf("\n%s, %s preset\n%-28s %5s %7s %8s %8s %9s\n", l.Heading(), p, "run", "runs", "epochs", "s/epoch", "fixed s", "run min")
		for _, r := range t.Runs {
			label := r.Label
			if r.Reused {
				label += " *"
			}
			fmt.Printf("%-28s %5d %7d %8.1f %8.1f %9.1f\n", label, r.Runs, r.Epochs, r.EpochSeconds, r.FixedSeconds, r.Seconds()/60)
		}
		fmt.Printf("lesson: %s, every run trained\n", formatMinutes(t.Seconds()/60, true))
	}
	if len(timings) > 1 {
		fmt.Printf("\n%-3s %-15s %s\n", "#", "name", "time")
		var total float64
		for i, t := range timings {
			fmt.Printf("%-3d %-15s %s\n", todo[i].Number, t.Lesson, formatMinutes(t.Seconds()/60, true))
			total += t.Seconds()
		}
		fmt.Printf("%-19s %s\n", "all", formatMinutes(total/60, true))
	}
	fmt.Printf("\nprojected on %s, %s: each distinct run trained for %d epoch(s) with its test evaluation, "+
		"scaled to its epochs (* timed earlier in this command: same identity)\n", info.CPU, info, *epochs)
	return nil
}

// parseLessonArgs parses the arguments of a command that takes a lesson's
// name first (or all) and flags after it, and returns the lessons named.
func parseLessonArgs(fs *flag.FlagSet, args []string) ([]*experiment.Lesson, error) {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		return nil, usageError("name a lesson (%s) or all", strings.Join(lessons.Names(), ", "))
	}
	if err := parseFlags(fs, args[1:]); err != nil {
		return nil, err
	}
	if args[0] == "all" {
		return lessons.All(), nil
	}
	l, err := lessons.Get(args[0])
	if err != nil {
		return nil, usageError("%v", err)
	}
	return []*experiment.Lesson{l}, nil
}

// lessonPreset starts the backend, says on stderr which one runs on which
// CPU, and returns the preset named ("": the backend's default) with the
// backend's description.
func lessonPreset(name string) (experiment.Preset, backend.Info, error) {
	_, info, err := backend.New()
	if err != nil {
		return "", info, err
	}
	fmt.Fprintf(os.Stderr, "backend: %s; CPU %s\n", info, info.CPU)
	p := experiment.Preset(name)
	if p == "" {
		p = experiment.DefaultPreset(info.Config)
	}
	return p, info, nil
}

func runLessonReport(fs *flag.FlagSet, args []string) error {
	out := fs.String("dir", "", "the lesson's folder, ROOT/PRESET/NAME as lesson run prints it (required)")
	dataPath := dataFlag(fs)
	markdown := fs.Bool("markdown", false, "also print the verdicts and runs as Markdown tables (for docs/RESULTS.md)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usageError("--dir is required")
	}
	name, preset, err := experiment.FolderLesson(*out)
	if err != nil {
		return err
	}
	l, err := lessons.Get(name)
	if err != nil {
		return err
	}
	data, err := loadData(*dataPath)
	if err != nil {
		return err
	}
	r, err := experiment.Merge(l, experiment.Options{Preset: preset, Data: data, Out: *out})
	if err != nil {
		return err
	}
	if err := report.WriteLesson(*out, r); err != nil {
		return err
	}
	for _, v := range r.Verdicts {
		fmt.Printf("[%s] %s\n", l.Name, v)
	}
	fmt.Printf("[%s] %d of %d runs\nreport: %s\n", l.Name, len(r.Runs), r.Planned, filepath.Join(*out, "report.html"))
	if *markdown {
		fmt.Print("\n" + report.LessonMarkdown(r))
	}
	return nil
}

func runLessonClaims(fs *flag.FlagSet, args []string) error {
	root := fs.String("root", filepath.Join("out", "lessons"), "results root holding ROOT/PRESET/NAME/results.json (lesson run's --out)")
	presetList := fs.String("presets", "quick,standard", "comma-separated presets, one column each")
	// The lessons' names come first (none: every lesson); flags follow.
	var names []string
	for len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		names, args = append(names, args[0]), args[1:]
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	presets := strings.Split(*presetList, ",")
	for _, p := range presets {
		if err := checkPreset(p); err != nil || p == "" {
			return usageError("--presets %s: %q is not a preset (%s)", *presetList, p, strings.Join(experiment.Presets(), ", "))
		}
	}
	todo := lessons.All()
	if len(names) > 0 {
		todo = nil
		for _, name := range names {
			l, err := lessons.Get(name)
			if err != nil {
				return usageError("%v", err)
			}
			todo = append(todo, l)
		}
	}
	for _, l := range todo {
		rs := make([]*experiment.Results, len(presets))
		for i, p := range presets {
			dir := experiment.LessonDir(*root, experiment.Preset(p), l.Name)
			r, err := experiment.ReadResults(dir)
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err != nil {
				return err
			}
			rs[i] = r
		}
		if table := report.ClaimsMarkdown(presets, rs); table != "" {
			fmt.Printf("#### %s\n\n%s", l.Heading(), table)
		}
	}
	return nil
}
