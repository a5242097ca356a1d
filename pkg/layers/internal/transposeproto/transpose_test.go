package transposeproto

import (
	"fmt"
	"testing"
)

func TestBlockedMatchesBaseline(t *testing.T) {
	for _, dims := range [][2]int{{1, 1}, {7, 3}, {8, 8}, {33, 5}, {100, 32}, {1000, 64}} {
		rows, cols := dims[0], dims[1]
		src := make([]float32, rows*cols)
		for i := range src {
			src[i] = float32(i)
		}
		want := make([]float32, rows*cols)
		Baseline(src, rows, cols, want)
		// Hand check of one element: dst[c*rows+r] = src[r*cols+c].
		if r, c := rows-1, cols-1; want[c*rows+r] != src[r*cols+c] {
			t.Fatalf("%dx%d: baseline wrong", rows, cols)
		}
		for _, workers := range []int{1, 2, 3} {
			for name, fn := range map[string]func([]float32, int, int, []float32, int){"blocked": Blocked, "tiled": Tiled} {
				got := make([]float32, rows*cols)
				fn(src, rows, cols, got, workers)
				for i := range got {
					if got[i] != want[i] {
						t.Fatalf("%s %dx%d workers %d: dst[%d] = %g, want %g", name, rows, cols, workers, i, got[i], want[i])
					}
				}
			}
		}
	}
}

// The output-gradient shapes of cnnlab's baseline convolutions at batch 64.
var benchShapes = [][2]int{{65536, 32}, {32768, 32}, {32767, 32}, {32769, 32}, {16384, 64}, {8191, 64}, {8193, 64}, {4096, 128}, {2047, 128}, {2049, 128}}

func BenchmarkTranspose(b *testing.B) {
	for _, dims := range benchShapes {
		rows, cols := dims[0], dims[1]
		src := make([]float32, rows*cols)
		dst := make([]float32, rows*cols)
		b.Run(fmt.Sprintf("baseline/%dx%d", rows, cols), func(b *testing.B) {
			b.SetBytes(int64(4 * rows * cols))
			for b.Loop() {
				Baseline(src, rows, cols, dst)
			}
		})
		for _, w := range []int{1, 2} {
			b.Run(fmt.Sprintf("blocked%d/%dx%d", w, rows, cols), func(b *testing.B) {
				b.SetBytes(int64(4 * rows * cols))
				for b.Loop() {
					Blocked(src, rows, cols, dst, w)
				}
			})
			b.Run(fmt.Sprintf("tiled%d/%dx%d", w, rows, cols), func(b *testing.B) {
				b.SetBytes(int64(4 * rows * cols))
				for b.Loop() {
					Tiled(src, rows, cols, dst, w)
				}
			})
		}
	}
}
