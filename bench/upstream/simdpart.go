//go:build ignore

// Command simdpart shows the fault behind a rare crash of cnnlab's tests
// (and potentially of any run) with GOEXPERIMENT=simd on an AVX-512 CPU:
// Go 1.27.3's archsimd.LoadFloat32x16Part loads all 16 floats and masks
// the register afterwards, instead of a masked load, so it reads up to 15
// floats past the end of a shorter slice. gomlx/compute v0.1.14's SIMD
// binary ops use it for the tail of every row narrower than 16 floats (a
// bias of 4, 8 or 10 channels added to a [N, C] tensor); when that
// tensor's last row ends at the last mapped page of the Go heap, the read
// faults (SIGSEGV, SEGV_ACCERR, in ops.simdV2V1AddFloat32).
//
// Run (AVX-512 machine):  GOTOOLCHAIN=go1.27.3 GOEXPERIMENT=simd go run bench/upstream/simdpart.go
//
// It maps two pages, makes the second inaccessible, and loads the last 8
// floats of the first page: a correct partial load reads only those.
package main

import (
	"fmt"
	"os"
	"simd/archsimd"
	"syscall"
	"unsafe"
)

func main() {
	if !archsimd.X86.AVX512() {
		fmt.Println("no AVX-512 here: LoadFloat32x16Part is not used on this CPU")
		return
	}
	page := os.Getpagesize()
	mem, err := syscall.Mmap(-1, 0, 2*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		panic(err)
	}
	if err := syscall.Mprotect(mem[page:], syscall.PROT_NONE); err != nil {
		panic(err)
	}
	floats := unsafe.Slice((*float32)(unsafe.Pointer(&mem[0])), page/4)
	tail := floats[len(floats)-8:] // 8 floats ending at the inaccessible page
	for i := range tail {
		tail[i] = float32(i + 1)
	}
	fmt.Println("loading the last 8 floats before an inaccessible page with archsimd.LoadFloat32x16Part ...")
	v, n := archsimd.LoadFloat32x16Part(tail)
	var out [16]float32
	v.Store(out[:])
	fmt.Println("no fault: loaded", n, out[:n])
}
