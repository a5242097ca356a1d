package cifar

import "github.com/cnnlab/cnnlab/pkg/split"

// Split holds out a seeded random fraction of d for validation, as the
// course does with scikit-learn's train_test_split(test_size=fraction): see
// [split.HoldOut]. Unlike scikit-learn, fraction 0 is allowed and gives an
// empty val. The results are copies.
//
// Keras's fit(validation_split=…) instead takes the last fraction of the
// samples, unshuffled: use [Dataset.SplitLast] for that.
func (d *Dataset) Split(fraction float64, seed int64) (train, val *Dataset, err error) {
	tr, va, err := split.HoldOut(d.Len(), fraction, seed)
	if err != nil {
		return nil, nil, err
	}
	return d.Subset(tr), d.Subset(va), nil
}

// SplitLast holds out the last fraction of d for validation, without
// shuffling: Keras's fit(validation_split=fraction), cut by
// [split.At]. The results share memory with d.
func (d *Dataset) SplitLast(fraction float64) (train, val *Dataset, err error) {
	at, err := split.At(d.Len(), fraction)
	if err != nil {
		return nil, nil, err
	}
	train = &Dataset{Images: d.Images[:at*ImageSize], Labels: d.Labels[:at]}
	val = &Dataset{Images: d.Images[at*ImageSize:], Labels: d.Labels[at:]}
	return train, val, nil
}
