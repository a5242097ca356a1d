// Package split holds the index arithmetic of training: seeded
// permutations, the order of each shuffled epoch, and the validation
// splits of scikit-learn's train_test_split and Keras's
// fit(validation_split=…). It works on sample counts and indices only, so
// that a dataset package (cifar) and the training loop (fit) cut the same
// samples without either importing the other.
package split

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Permutation returns a seeded pseudo-random permutation of 0..n-1. The same
// (n, seed) always gives the same permutation, on every platform.
func Permutation(n int, seed int64) []int {
	r := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	return r.Perm(n)
}

// EpochOrder returns the order in which a shuffled epoch (numbered from 0)
// visits n samples: a permutation that depends only on (seed, epoch), so
// that a run resumed at epoch e sees the same batches as an uninterrupted
// one, and each epoch is shuffled differently.
func EpochOrder(n int, seed int64, epoch int) []int {
	return Permutation(n, seed^int64((uint64(epoch)+1)*0x9e3779b97f4a7c15))
}

// HoldOutCount returns the number of samples that scikit-learn's
// train_test_split(test_size=fraction) holds out of n: ceil(fraction·n),
// computed in float64 as scikit-learn does (so 0.07 of 100 is 8, because
// 0.07·100 is 7.000000000000001). fraction must be in [0, 1) (0 holds out
// nothing, which scikit-learn refuses); a split that leaves no training
// sample is an error, as in scikit-learn.
func HoldOutCount(n int, fraction float64) (int, error) {
	if err := checkFraction(fraction); err != nil {
		return 0, err
	}
	nVal := int(math.Ceil(fraction * float64(n)))
	if nVal >= n && n > 0 {
		return 0, fmt.Errorf("split: validation fraction %v of %d samples leaves no training samples", fraction, n)
	}
	return nVal, nil
}

// HoldOut returns the indices of a seeded random hold-out of [HoldOutCount]
// of n samples, the course's train_test_split(test_size=fraction): the
// samples are shuffled with seed, the first nVal go to val and the rest to
// train. The counts match scikit-learn; which samples are drawn does not
// (the generators differ).
func HoldOut(n int, fraction float64, seed int64) (train, val []int, err error) {
	nVal, err := HoldOutCount(n, fraction)
	if err != nil {
		return nil, nil, err
	}
	perm := Permutation(n, seed)
	return perm[nVal:], perm[:nVal], nil
}

// At returns where Keras's fit(validation_split=fraction) cuts n samples,
// before any shuffling: training keeps samples [0, at) and validation
// [at, n), at = floor(n·(1−fraction)) in float64, as Keras 3's
// train_validation_split computes it. fraction 0 means no validation (at =
// n); a split that leaves either side empty is an error, as in Keras.
func At(n int, fraction float64) (at int, err error) {
	if err := checkFraction(fraction); err != nil {
		return 0, err
	}
	if fraction == 0 {
		return n, nil
	}
	at = int(math.Floor(float64(n) * (1.0 - fraction)))
	if at == 0 || at == n {
		return 0, fmt.Errorf("split: %d samples are not enough to split with validation fraction %v", n, fraction)
	}
	return at, nil
}

func checkFraction(fraction float64) error {
	if !(fraction >= 0 && fraction < 1) {
		return fmt.Errorf("split: validation fraction %v out of range [0, 1)", fraction)
	}
	return nil
}
