// Package course holds the course's training settings in one table,
// [Defaults], which the CLI, the notebooks, the examples and the lessons
// read. The library packages keep Keras's own defaults where they mirror
// Keras (fit.FitOptions's batch size 32, for instance); these are the
// values the course itself trains with.
package course

// Settings are the training settings of the course.
type Settings struct {
	BatchSize         int     // images per training step
	ValidationHoldOut float64 // share of the training images held out for validation (train_test_split)
	Optimizer         string  // Keras's name of the optimizer
	LearningRate      float64 // the optimizer's learning rate
	Epochs            int     // epochs of a full training run
	Seed              int64   // seeds the weights, dropout, shuffling and the hold-out split
}

// Defaults are the course's settings: Adam at 1e-3, batches of 64, a
// seeded 15% hold-out (scikit-learn's train_test_split(test_size=0.15)),
// 30 epochs, seed 42.
var Defaults = Settings{
	BatchSize:         64,
	ValidationHoldOut: 0.15,
	Optimizer:         "adam",
	LearningRate:      1e-3,
	Epochs:            30,
	Seed:              42,
}
