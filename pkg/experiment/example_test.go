package experiment_test

import (
	"fmt"
	"path/filepath"

	"github.com/cnnlab/cnnlab/pkg/experiment"
)

// The folders of a lesson's results and of the runs it shares with the
// other lessons at the same preset.
func ExampleLessonDir() {
	dir := experiment.LessonDir("results", experiment.Standard, "gap")
	fmt.Println(filepath.ToSlash(dir))
	fmt.Println(filepath.ToSlash(experiment.SharedDir(dir)))
	// Output:
	// results/standard/gap
	// results/standard/_runs
}

// MachineOf names the machine a run was timed on; where the backend's
// choice came from (a default or $GOMLX_BACKEND) is left out.
func ExampleMachineOf() {
	byDefault := &experiment.RunResult{CPU: "AMD EPYC (avx2 fma)",
		Backend: "Go Backend (go:parallelism=-1, from default; simd on; conv kernel avx2; 2 CPUs)"}
	byEnv := *byDefault
	byEnv.Backend = "Go Backend (go:parallelism=-1, from $GOMLX_BACKEND; simd on; conv kernel avx2; 2 CPUs)"
	fmt.Println(experiment.MachineOf(byDefault))
	fmt.Println(experiment.MachineOf(byDefault) == experiment.MachineOf(&byEnv))
	// Output:
	// AMD EPYC (avx2 fma) | Go Backend (go:parallelism=-1; simd on; conv kernel avx2; 2 CPUs)
	// true
}
