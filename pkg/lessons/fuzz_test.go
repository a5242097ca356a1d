package lessons

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/cnnlab/cnnlab/internal/fuzzseed"
	"github.com/cnnlab/cnnlab/pkg/experiment"
)

// FuzzReadRuns feeds untrusted bytes to the readers of a lesson's folder:
// a runs/*.json file (experiment.ReadRuns) and results.json (ReadResults), then judges
// every claim of every lesson on what they accept, as merging does. They
// must never panic or hang, and must reject bad files with an error. The
// seeds are files a smoke run of the shuffle lesson wrote (testdata/).
func FuzzReadRuns(f *testing.F) {
	for _, name := range []string{"run-smoke-shuffle.json", "results-smoke-shuffle.json"} {
		raw, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		fuzzseed.AddMutations(f, raw)
	}
	f.Add([]byte(`{"key":"00-shuffle-seed42","lesson":"shuffle","preset":"smoke","history":null}`))
	f.Add([]byte(`{"key":"00-shuffle-seed42","lesson":"shuffle","preset":"smoke","index":-1,"history":[{"loss":null}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		if err := os.MkdirAll(filepath.Join(dir, experiment.RunsFolder), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{filepath.Join(dir, experiment.RunsFolder, "00-shuffle-seed42.json"), filepath.Join(dir, "results.json")} {
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		var results []*experiment.Results
		if runs, err := experiment.ReadRuns(dir); err == nil {
			if len(runs) != 1 || runs[0].Key != "00-shuffle-seed42" {
				t.Fatalf("readRuns accepted %+v from a file named 00-shuffle-seed42.json", runs)
			}
			results = append(results, &experiment.Results{Runs: runs, Planned: 1})
		} else if runs != nil {
			t.Fatal("runs with an error")
		}
		if r, err := experiment.ReadResults(dir); err == nil {
			results = append(results, r)
		}
		for _, r := range results {
			for _, l := range All() {
				for _, c := range l.Claims {
					experiment.Judge(c, r)
				}
			}
			_ = r.Complete()
		}
	})
}
