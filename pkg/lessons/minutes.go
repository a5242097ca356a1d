package lessons

import "github.com/cnnlab/cnnlab/pkg/experiment"

// measuredMinutes is the one table of measured wall times of the lessons,
// in minutes, by preset: a whole `cnnlab lesson run NAME --preset P` on a
// 2-core Intel Xeon with the pure Go backend (docs/RESULTS.md), every run
// trained (no shared runs reused). A preset missing from a lesson's row
// has not been measured yet; an empty row, a lesson not measured at all.
// register puts each lesson's row in its Measured field.
var measuredMinutes = map[string]map[experiment.Preset]float64{
	"data":           {experiment.Quick: 0.01},
	"first-cnn":      {experiment.Quick: 1.0},
	"filter-size":    {experiment.Quick: 2.8},
	"weight-init":    {experiment.Quick: 8.0},
	"batchnorm":      {experiment.Quick: 4.5},
	"shuffle":        {experiment.Quick: 2.9},
	"batch-size":     {experiment.Quick: 6.6},
	"lr-callbacks":   {experiment.Quick: 7.1},
	"depth-stride":   {experiment.Quick: 7.0},
	"gap":            {experiment.Quick: 2.1},
	"regularization": {experiment.Quick: 6.5},
	"lr-schedules":   {experiment.Quick: 9.2},
	"augmentation":   {experiment.Quick: 8.7},
	"fast":           {}, // not measured yet
}
