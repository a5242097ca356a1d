package cifar

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
)

// RecordSize is the size in bytes of one record of the official binary
// release: a label byte then 1,024 red, 1,024 green and 1,024 blue bytes,
// each plane row-major 32x32 (3,073 bytes).
const RecordSize = 1 + ImageSize

// recordsPerChunk is how many records decodeBinary reads at a time.
const recordsPerChunk = 64

// ReadBinary reads one file of the official binary release (such as
// data_batch_1.bin) from r and converts its images to NHWC. name is used in
// error messages. A stream whose length is not a multiple of [RecordSize],
// or a label byte above 9, is an error naming the byte offset of the bad
// record.
func ReadBinary(r io.Reader, name string) (*Dataset, error) {
	return decodeBinary(r, name, -1)
}

// decodeBinary reads records from r into a new dataset; see appendBinary.
func decodeBinary(r io.Reader, name string, size int64) (*Dataset, error) {
	d := &Dataset{}
	if err := appendBinary(d, r, name, size); err != nil {
		return nil, err
	}
	return d, nil
}

// appendBinary reads records from r and appends them to d. If size >= 0 it
// is the number of bytes r holds (a tar header's or a file's size): it is
// checked before reading. On error d may hold part of the records.
func appendBinary(d *Dataset, r io.Reader, name string, size int64) error {
	if size >= 0 {
		if size == 0 {
			return fmt.Errorf("%s: empty file, want records of %d bytes", name, RecordSize)
		}
		if size%RecordSize != 0 {
			last := size / RecordSize * RecordSize
			return fmt.Errorf("%s: size %d bytes is not a multiple of the %d-byte record: truncated or corrupt record at byte offset %d",
				name, size, RecordSize, last)
		}
		// At most an official batch's worth on the word of the size.
		n := int(min(size, maxTrustedBytes) / RecordSize)
		d.Images = slices.Grow(d.Images, n*ImageSize)
		d.Labels = slices.Grow(d.Labels, n)
	}
	start := d.Len()
	chunk := int64(recordsPerChunk * RecordSize)
	if size > 0 {
		chunk = min(chunk, size)
	}
	buf := make([]byte, chunk)
	var offset int64
	for {
		m, err := io.ReadFull(r, buf)
		if m > 0 {
			whole := m / RecordSize * RecordSize
			if err := appendRecords(d, buf[:whole], name, offset); err != nil {
				return err
			}
			offset += int64(whole)
			if whole != m {
				if size >= 0 {
					return fmt.Errorf("%s: truncated at byte offset %d, want %d bytes", name, offset+int64(m-whole), size)
				}
				return fmt.Errorf("%s: truncated record at byte offset %d: %d trailing bytes, want a multiple of %d",
					name, offset, m-whole, RecordSize)
			}
		}
		switch {
		case err == nil:
			continue
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			if size >= 0 && offset != size {
				return fmt.Errorf("%s: truncated at byte offset %d, want %d bytes", name, offset, size)
			}
			if d.Len() == start {
				return fmt.Errorf("%s: empty file, want records of %d bytes", name, RecordSize)
			}
			return nil
		default:
			return fmt.Errorf("%s: reading at byte offset %d: %w", name, offset+int64(m), err)
		}
	}
}

// appendRecords checks and converts whole records from channel-first to
// NHWC, appending them to d. offset is the byte offset of recs in the file.
func appendRecords(d *Dataset, recs []byte, name string, offset int64) error {
	n := len(recs) / RecordSize
	for i := range n {
		if l := recs[i*RecordSize]; l >= NumClasses {
			return fmt.Errorf("%s: record %d at byte offset %d has label %d, want 0..%d",
				name, (offset/RecordSize)+int64(i), offset+int64(i*RecordSize), l, NumClasses-1)
		}
	}
	start := len(d.Images)
	d.Images = append(d.Images, make([]uint8, n*ImageSize)...)
	for i := range n {
		rec := recs[i*RecordSize : (i+1)*RecordSize]
		d.Labels = append(d.Labels, rec[0])
		planarToNHWC(d.Images[start+i*ImageSize:start+(i+1)*ImageSize], rec[1:])
	}
	return nil
}

// planarToNHWC converts one image from channel-first planes (1,024 R, G, B)
// to interleaved RGB.
func planarToNHWC(dst, src []byte) {
	const plane = Height * Width
	r, g, b := src[:plane], src[plane:2*plane], src[2*plane:3*plane]
	dst = dst[:3*plane]
	for p := range plane {
		dst[3*p] = r[p]
		dst[3*p+1] = g[p]
		dst[3*p+2] = b[p]
	}
}

// nhwcToPlanar is the inverse of planarToNHWC.
func nhwcToPlanar(dst, src []byte) {
	const plane = Height * Width
	src = src[:3*plane]
	for p := range plane {
		dst[p] = src[3*p]
		dst[plane+p] = src[3*p+1]
		dst[2*plane+p] = src[3*p+2]
	}
}

// WriteBinary writes d to w in the official binary record format (the
// format of data_batch_1.bin): per image a label byte then the R, G and B
// planes. [ReadBinary] reads it back.
func WriteBinary(w io.Writer, d *Dataset) error {
	if err := d.Validate(); err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64*RecordSize)
	rec := make([]byte, RecordSize)
	for i := range d.Len() {
		rec[0] = d.Labels[i]
		nhwcToPlanar(rec[1:], d.Image(i))
		if _, err := bw.Write(rec); err != nil {
			return fmt.Errorf("cifar: writing record %d: %w", i, err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("cifar: writing records: %w", err)
	}
	return nil
}
