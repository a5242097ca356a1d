// Package transposeproto prototypes, outside GoMLX, a faster version of the
// 2D transposes of GoMLX's Go backend (github.com/gomlx/compute v0.1.14):
// the one in every FusedDenseVJP with the "outputs, inputs" weight layout
// (internal/gobackend/fusedops/dense, one core), and the generic Transpose
// op (internal/gobackend/ops/transpose.go, 32x32 tiles over the worker
// pool), which cnnlab's own convolution gradient uses to transpose the output
// gradient dZ [M, N] before the weight-gradient matmul. In cnnlab's
// convolutions M is batch·height·width (up to 65,536) and N the filters
// (32-128).
//
// The package is a measurement aid for the upstream change documented in
// docs/PERFORMANCE.md; cnnlab does not call it.
package transposeproto

import "sync"

// Baseline is GoMLX v0.28's transpose2D (fusedops/dense/dense_vjp.go,
// Apache-2.0): src [rows, cols] to dst [cols, rows] in 32x32 blocks, one
// goroutine.
func Baseline(src []float32, rows, cols int, dst []float32) {
	const blockSize = 32
	for r0 := 0; r0 < rows; r0 += blockSize {
		rMax := min(r0+blockSize, rows)
		for c0 := 0; c0 < cols; c0 += blockSize {
			cMax := min(c0+blockSize, cols)
			for r := r0; r < rMax; r++ {
				rOffset := r * cols
				for c := c0; c < cMax; c++ {
					dst[c*rows+r] = src[rOffset+c]
				}
			}
		}
	}
}

// Tiled is the generic Transpose op's 2D case in compute v0.1.14
// (ops/transpose.go, Apache-2.0): 32x32 tiles, row tiles split into
// 2·workers chunks run in parallel (goroutines here, the backend's worker
// pool there).
func Tiled(src []float32, rows, cols int, dst []float32, workers int) {
	const tileSize = 32
	rTiles := (rows + tileSize - 1) / tileSize
	targetChunks := min(rTiles, max(1, workers*2))
	tilesPerChunk := max(1, (rTiles+targetChunks-1)/targetChunks)
	var wg sync.WaitGroup
	for t := 0; t < rTiles; t += tilesPerChunk {
		tStart := t * tileSize
		tEnd := min((t+tilesPerChunk)*tileSize, rows)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r0 := tStart; r0 < tEnd; r0 += tileSize {
				rLimit := min(r0+tileSize, tEnd)
				for c0 := 0; c0 < cols; c0 += tileSize {
					cLimit := min(c0+tileSize, cols)
					for r := r0; r < rLimit; r++ {
						for c := c0; c < cLimit; c++ {
							dst[c*rows+r] = src[r*cols+c]
						}
					}
				}
			}
		}()
	}
	wg.Wait()
}

// Blocked transposes 8 rows at a time with the column loop outside, so each
// destination row receives 8 contiguous values per step (one store burst)
// and bounds checks are hoisted; rows are split among workers goroutines.
func Blocked(src []float32, rows, cols int, dst []float32, workers int) {
	const rb = 8
	blocks := (rows + rb - 1) / rb
	workers = max(1, min(workers, blocks))
	var wg sync.WaitGroup
	for w := range workers {
		b0, b1 := w*blocks/workers, (w+1)*blocks/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := b0; b < b1; b++ {
				r0 := b * rb
				if r0+rb > rows {
					// Tail rows one by one.
					for r := r0; r < rows; r++ {
						for c := range cols {
							dst[c*rows+r] = src[r*cols+c]
						}
					}
					continue
				}
				s := src[r0*cols : (r0+rb)*cols]
				for c := range cols {
					d := dst[c*rows+r0 : c*rows+r0+rb]
					d[0] = s[c]
					d[1] = s[cols+c]
					d[2] = s[2*cols+c]
					d[3] = s[3*cols+c]
					d[4] = s[4*cols+c]
					d[5] = s[5*cols+c]
					d[6] = s[6*cols+c]
					d[7] = s[7*cols+c]
				}
			}
		}()
	}
	wg.Wait()
}
