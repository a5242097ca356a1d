// Package fuzzseed seeds fuzz corpora: a valid input and the broken
// variants of it that readers of untrusted bytes most often meet. The
// fuzz tests of cifar (its file formats) and pkg/lessons (results files)
// use it.
package fuzzseed

import (
	"bytes"
	"slices"
	"testing"
)

// AddMutations adds seed and its [Mutations] to f's corpus.
func AddMutations(f *testing.F, seed []byte) {
	f.Add(seed)
	for _, m := range Mutations(seed) {
		f.Add(m)
	}
}

// Mutations returns broken copies of seed: its first quarter, half and
// three quarters, then seed with one bit flipped at each of a few places
// (the first two bytes, byte 11, inside a header, a third and half way
// in, the last two bytes; each place once, and none past the end).
func Mutations(seed []byte) [][]byte {
	var out [][]byte
	for q := 1; q < 4; q++ {
		out = append(out, bytes.Clone(seed[:len(seed)*q/4]))
	}
	var done []int
	for _, at := range []int{0, 1, 11, len(seed) / 3, len(seed) / 2, len(seed) - 2, len(seed) - 1} {
		if at < 0 || at >= len(seed) || slices.Contains(done, at) {
			continue
		}
		done = append(done, at)
		flipped := bytes.Clone(seed)
		flipped[at] ^= 0x10
		out = append(out, flipped)
	}
	return out
}
