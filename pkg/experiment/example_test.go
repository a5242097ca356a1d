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
