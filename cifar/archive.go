package cifar

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"strings"
	"time"
)

// WriteBinaryArchive writes data as a .tar.gz in the layout of the official
// binary release: cifar-10-batches-bin/data_batch_1.bin .. data_batch_5.bin
// (the training set cut into five nearly equal parts, in order),
// test_batch.bin and batches.meta.txt. [Load] reads it back. The archive is
// deterministic (fixed modification times, no owner names).
func WriteBinaryArchive(w io.Writer, data *Data) error {
	if data.Train == nil || data.Test == nil || data.Train.Len() < NumTrainBatches || data.Test.Len() == 0 {
		return fmt.Errorf("cifar: writing archive: need at least %d training and 1 test image", NumTrainBatches)
	}
	if err := data.Train.Validate(); err != nil {
		return err
	}
	if err := data.Test.Validate(); err != nil {
		return err
	}
	zw := gzip.NewWriter(w)
	tw := tar.NewWriter(zw)
	mtime := time.Date(2009, 6, 4, 0, 0, 0, 0, time.UTC)
	add := func(name string, size int64, write func(io.Writer) error) error {
		hdr := &tar.Header{Name: BinaryFolder + "/" + name, Mode: 0o644, Size: size, ModTime: mtime, Typeflag: tar.TypeReg, Format: tar.FormatUSTAR}
		if err := tw.WriteHeader(hdr); err != nil {
			return fmt.Errorf("cifar: writing archive entry %s: %w", name, err)
		}
		return write(tw)
	}
	n := data.Train.Len()
	for b := range NumTrainBatches {
		lo, hi := b*n/NumTrainBatches, (b+1)*n/NumTrainBatches
		part := &Dataset{Images: data.Train.Images[lo*ImageSize : hi*ImageSize], Labels: data.Train.Labels[lo:hi]}
		if err := add(fmt.Sprintf("data_batch_%d.bin", b+1), int64(hi-lo)*RecordSize, func(w io.Writer) error { return WriteBinary(w, part) }); err != nil {
			return err
		}
	}
	if err := add("test_batch.bin", int64(data.Test.Len())*RecordSize, func(w io.Writer) error { return WriteBinary(w, data.Test) }); err != nil {
		return err
	}
	meta := []byte(strings.Join(Classes[:], "\n") + "\n\n")
	if err := add("batches.meta.txt", int64(len(meta)), func(w io.Writer) error {
		_, err := io.Copy(w, bytes.NewReader(meta))
		return err
	}); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("cifar: writing archive: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("cifar: writing archive: %w", err)
	}
	return nil
}
