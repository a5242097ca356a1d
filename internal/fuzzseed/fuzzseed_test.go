package fuzzseed

import (
	"bytes"
	"testing"
)

func TestMutations(t *testing.T) {
	tests := []struct {
		seed  []byte
		flips []int // the places flipped, in order
	}{
		{nil, nil},
		{[]byte{1}, []int{0}},
		{[]byte{1, 2, 3}, []int{0, 1, 2}},
		{bytes.Repeat([]byte{'a'}, 24), []int{0, 1, 11, 8, 12, 22, 23}},
	}
	for _, tc := range tests {
		got := Mutations(tc.seed)
		if len(got) != 3+len(tc.flips) {
			t.Errorf("%d bytes: %d mutations, want %d", len(tc.seed), len(got), 3+len(tc.flips))
			continue
		}
		for q := 1; q < 4; q++ {
			if want := tc.seed[:len(tc.seed)*q/4]; !bytes.Equal(got[q-1], want) {
				t.Errorf("%d bytes: mutation %d is %v, want the prefix %v", len(tc.seed), q-1, got[q-1], want)
			}
		}
		for i, at := range tc.flips {
			want := bytes.Clone(tc.seed)
			want[at] ^= 0x10
			if !bytes.Equal(got[3+i], want) {
				t.Errorf("%d bytes: mutation %d is not the seed flipped at %d", len(tc.seed), 3+i, at)
			}
		}
	}
}
