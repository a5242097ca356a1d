package lessons

import "github.com/cnnlab/cnnlab/pkg/experiment"

// measuredMinutes is the one table of measured wall times of the lessons,
// in minutes, by preset: a whole `cnnlab lesson run NAME --preset P` with
// the pure Go backend (docs/RESULTS.md), every run counted as trained.
// Quick was measured on a 2-core Intel Xeon, no shared run reused;
// standard on a 2-core AMD EPYC with the product build's convolution
// kernel, as the sum of the runs' seconds, a shared run counted at its
// time when trained alone. A preset missing from a lesson's row has not
// been measured yet; an empty row, a lesson not measured at all. register
// puts each lesson's row in its Measured field.
var measuredMinutes = map[string]map[experiment.Preset]float64{
	"data":           {experiment.Quick: 0.01, experiment.Standard: 0.02},
	"first-cnn":      {experiment.Quick: 1.0, experiment.Standard: 14.4},
	"filter-size":    {experiment.Quick: 2.8, experiment.Standard: 45.5},
	"weight-init":    {experiment.Quick: 8.0, experiment.Standard: 99.4},
	"batchnorm":      {experiment.Quick: 4.5, experiment.Standard: 61.0},
	"shuffle":        {experiment.Quick: 2.9, experiment.Standard: 44.0},
	"batch-size":     {experiment.Quick: 6.6}, // standard: its runs ran on two machines (docs/RESULTS.md)
	"lr-callbacks":   {experiment.Quick: 7.1}, // standard: its runs ran on two machines, some beside other work
	"depth-stride":   {experiment.Quick: 7.0}, // standard: 3.4 h on AVX2-only hosts, two runs beside other work (docs/RESULTS.md)
	"gap":            {experiment.Quick: 2.1, experiment.Standard: 30.3},
	"regularization": {experiment.Quick: 6.5}, // standard: its runs ran on three machines (docs/RESULTS.md)
	"lr-schedules":   {experiment.Quick: 9.2}, // standard: its runs ran on two machines (docs/RESULTS.md)
	"augmentation":   {experiment.Quick: 8.7}, // standard: its runs ran on two machines, some beside other work (docs/RESULTS.md)
	"fast":           {},                      // not measured yet
}
