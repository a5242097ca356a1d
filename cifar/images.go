package cifar

import (
	"bytes"
	"cmp"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"runtime"
	"slices"
	"sync"
)

// imageEntry is one image file of an image folder.
type imageEntry struct {
	name  string
	test  bool
	label uint8
	pix   []byte // NHWC pixels once decoded
	err   error
}

type imageJob struct {
	e    *imageEntry
	data []byte // encoded image; nil: read file
	file string
}

// imageDecoder decodes images on one worker per CPU while the caller keeps
// reading the archive.
type imageDecoder struct {
	entries []*imageEntry
	jobs    chan imageJob
	wg      sync.WaitGroup
}

func newImageDecoder() *imageDecoder {
	d := &imageDecoder{jobs: make(chan imageJob, 256)}
	workers := runtime.GOMAXPROCS(0)
	d.wg.Add(workers)
	for range workers {
		go func() {
			defer d.wg.Done()
			for j := range d.jobs {
				data := j.data
				if data == nil {
					var err error
					if data, err = os.ReadFile(j.file); err != nil {
						j.e.err = err
						continue
					}
				}
				j.e.pix = make([]byte, ImageSize)
				if err := DecodeImage(j.e.pix, data); err != nil {
					j.e.err = fmt.Errorf("%s: %w", j.e.name, err)
				}
			}
		}()
	}
	return d
}

// add queues one image for decoding.
func (d *imageDecoder) add(name string, test bool, label uint8, data []byte, file string) {
	e := &imageEntry{name: name, test: test, label: label}
	d.entries = append(d.entries, e)
	d.jobs <- imageJob{e: e, data: data, file: file}
}

// abort stops the workers after an error; d may be nil.
func (d *imageDecoder) abort() {
	if d != nil {
		close(d.jobs)
		d.wg.Wait()
	}
}

// finish waits for the workers and assembles the train and test sets,
// ordered by label, then name.
func (d *imageDecoder) finish() (train, test *Dataset, err error) {
	close(d.jobs)
	d.wg.Wait()
	slices.SortFunc(d.entries, func(a, b *imageEntry) int {
		return cmp.Or(cmp.Compare(a.label, b.label), cmp.Compare(a.name, b.name))
	})
	var nTrain, nTest int
	for _, e := range d.entries {
		if e.err != nil {
			return nil, nil, e.err
		}
		if e.test {
			nTest++
		} else {
			nTrain++
		}
	}
	train = &Dataset{Images: make([]uint8, 0, nTrain*ImageSize), Labels: make([]uint8, 0, nTrain)}
	test = &Dataset{Images: make([]uint8, 0, nTest*ImageSize), Labels: make([]uint8, 0, nTest)}
	for _, e := range d.entries {
		s := train
		if e.test {
			s = test
		}
		s.Images = append(s.Images, e.pix...)
		s.Labels = append(s.Labels, e.label)
	}
	return train, test, nil
}

// DecodeImage decodes a 32x32 JPEG or PNG image into dst (ImageSize bytes,
// row-major RGB). Grayscale images are replicated to the three channels and
// an alpha channel is dropped.
func DecodeImage(dst []byte, data []byte) error {
	var img image.Image
	var err error
	switch {
	case bytes.HasPrefix(data, []byte("\xff\xd8")):
		img, err = jpeg.Decode(bytes.NewReader(data))
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		img, err = png.Decode(bytes.NewReader(data))
	default:
		return fmt.Errorf("not a JPEG or PNG image")
	}
	if err != nil {
		return err
	}
	b := img.Bounds()
	if b.Dx() != Width || b.Dy() != Height {
		return fmt.Errorf("image is %dx%d, want %dx%d", b.Dx(), b.Dy(), Width, Height)
	}
	dst = dst[:ImageSize]
	switch m := img.(type) {
	case *image.YCbCr:
		for y := range Height {
			for x := range Width {
				yi := m.YOffset(b.Min.X+x, b.Min.Y+y)
				ci := m.COffset(b.Min.X+x, b.Min.Y+y)
				r, g, bl := color.YCbCrToRGB(m.Y[yi], m.Cb[ci], m.Cr[ci])
				p := 3 * (y*Width + x)
				dst[p], dst[p+1], dst[p+2] = r, g, bl
			}
		}
	case *image.Gray:
		for y := range Height {
			for x := range Width {
				v := m.Pix[m.PixOffset(b.Min.X+x, b.Min.Y+y)]
				p := 3 * (y*Width + x)
				dst[p], dst[p+1], dst[p+2] = v, v, v
			}
		}
	case *image.NRGBA:
		for y := range Height {
			for x := range Width {
				o := m.PixOffset(b.Min.X+x, b.Min.Y+y)
				p := 3 * (y*Width + x)
				copy(dst[p:p+3], m.Pix[o:o+3])
			}
		}
	default:
		for y := range Height {
			for x := range Width {
				c := color.NRGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
				p := 3 * (y*Width + x)
				dst[p], dst[p+1], dst[p+2] = c.R, c.G, c.B
			}
		}
	}
	return nil
}
