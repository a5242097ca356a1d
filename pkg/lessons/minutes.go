package lessons

// measuredMinutes is the one table of measured wall times of the lessons,
// in minutes, by preset: a whole `cnnlab lesson run NAME --preset P` on a
// 2-core Intel Xeon with the pure Go backend (docs/RESULTS.md), every run
// trained (no shared runs reused). A preset missing from a lesson's row
// has not been measured yet; an empty row, a lesson not measured at all.
var measuredMinutes = map[string]map[Preset]float64{
	"data":           {Quick: 0.01},
	"first-cnn":      {Quick: 1.0},
	"filter-size":    {Quick: 2.8},
	"weight-init":    {Quick: 8.0},
	"batchnorm":      {Quick: 4.5},
	"shuffle":        {Quick: 2.9},
	"batch-size":     {Quick: 6.6},
	"lr-callbacks":   {Quick: 7.1},
	"depth-stride":   {Quick: 7.0},
	"gap":            {Quick: 2.1},
	"regularization": {Quick: 6.5},
	"lr-schedules":   {Quick: 9.2},
	"augmentation":   {Quick: 8.7},
	"fast":           {}, // not measured yet
}

// Minutes returns the measured wall time of the lesson in preset p, in
// minutes, and whether it was measured.
func (l *Lesson) Minutes(p Preset) (float64, bool) {
	m, ok := measuredMinutes[l.Name][p]
	return m, ok
}
