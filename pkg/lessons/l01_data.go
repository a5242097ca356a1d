package lessons

import "github.com/cnnlab/cnnlab/pkg/experiment"

// Lesson 1: the data.
var _ = register(&experiment.Lesson{
	Number: 1, Name: "data", Title: "CIFAR-10: loading, looking, scaling, labels", Korean: "CIFAR-10 데이터 세트",
	About: "The course loads CIFAR-10 with `keras.datasets.cifar10.load_data()` (50,000 training and 10,000 test " +
		"images, 32x32x3 uint8, labels of shape (N, 1)), shows images with their class names, divides the pixels " +
		"by 255, and trains with sparse labels and `sparse_categorical_crossentropy`, or with one-hot labels and " +
		"`categorical_crossentropy`: the same loss on the same batch.",
	Facts: []experiment.FactSpec{
		{Name: "counts", Title: "Images per class", Compute: dataCounts},
		{Name: "labels", Title: "Label shapes", Compute: dataLabels},
		{Name: "grid", Title: "Eight training images with their class names", Compute: dataGrid},
		{Name: "scaling", Title: "Scaling by 255", Compute: dataScaling,
			Labels: map[string]string{"max": "the largest scaled pixel"}},
		{Name: "losses", Title: "Sparse and one-hot labels: the same loss", Compute: dataLosses,
			Labels: map[string]string{"sparse": "the cross-entropy with sparse labels", "one_hot": "the cross-entropy with one-hot labels"}},
	},
	Claims: []experiment.Claim{
		{Text: "sparse and one-hot labels give the same cross-entropy", Expect: experiment.Equal,
			Values: [2]string{"losses.sparse", "losses.one_hot"}, Tolerance: 1e-6},
		{Text: "/255 maps pixels into [0, 1]", Expect: experiment.Equal, Values: [2]string{"scaling.max"}, Want: 1, Tolerance: 1e-6},
	},
})
