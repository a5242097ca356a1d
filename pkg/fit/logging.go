package fit

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"slices"
	"strings"
)

// LearningRateScheduler sets the learning rate at the start of every epoch
// to Schedule(epoch, current rate), as Keras's
// callbacks.LearningRateScheduler does (epochs 0-based). With Verbose it
// prints Keras's message. It fails when the trainer has a [Schedule] (the
// rate is not settable), or when Schedule returns a rate that is not a
// finite non-negative number.
type LearningRateScheduler struct {
	BaseCallback
	Schedule func(epoch int, lr float64) float64
	Verbose  int
}

// NewLearningRateScheduler returns Keras's LearningRateScheduler(schedule).
func NewLearningRateScheduler(schedule func(epoch int, lr float64) float64) *LearningRateScheduler {
	return &LearningRateScheduler{Schedule: schedule}
}

// OnEpochBegin sets the epoch's rate.
func (s *LearningRateScheduler) OnEpochBegin(t *Trainer, epoch int) error {
	if s.Schedule == nil {
		return errors.New("fit: LearningRateScheduler needs a Schedule function")
	}
	lr := s.Schedule(epoch, t.LearningRate())
	if math.IsNaN(lr) || math.IsInf(lr, 0) {
		return fmt.Errorf("fit: LearningRateScheduler: the schedule returned %v for epoch %d; it should be a float", lr, epoch)
	}
	if err := t.SetLearningRate(lr); err != nil {
		return err
	}
	if s.Verbose > 0 {
		t.Logf("\nEpoch %d: LearningRateScheduler setting learning rate to %s.", epoch+1, pyRepr(lr))
	}
	return nil
}

// CSVLogger writes every epoch's logs to a CSV file, in Keras's format
// (callbacks.CSVLogger): a header "epoch" + the log keys, sorted, with
// "val_" twins added when training has no validation; one row per epoch,
// epochs 0-based, numbers as Python writes them ("NA" for a missing value).
// With Append, rows are added to an existing file (its header is kept),
// e.g. when resuming; otherwise the file starts over at each Fit. The file
// is rewritten atomically after every epoch, so a crash never leaves a
// half-written row. History's "epoch" and "time" keys are left out (Keras's
// logs have neither).
type CSVLogger struct {
	BaseCallback
	Filename  string
	Separator string // default ","
	Append    bool

	content []byte // the file so far
	keys    []string
	header  bool // whether to write the header before the first row
}

// NewCSVLogger returns Keras's CSVLogger(filename, separator=",",
// append=false).
func NewCSVLogger(filename string) *CSVLogger { return &CSVLogger{Filename: filename, Separator: ","} }

// OnTrainBegin reads the file to append to, or starts it over.
func (c *CSVLogger) OnTrainBegin(*Trainer) error {
	if c.Filename == "" {
		return errors.New("fit: CSVLogger needs a Filename")
	}
	if c.Separator == "" {
		c.Separator = ","
	}
	c.content, c.keys, c.header = nil, nil, true
	if c.Append {
		old, err := os.ReadFile(c.Filename)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("fit: CSVLogger: %w", err)
		}
		c.content = old
		if len(old) > 0 {
			c.header = false
			if old[len(old)-1] != '\n' {
				c.content = append(c.content, '\n')
			}
		}
	}
	return nil
}

// OnEpochEnd adds the epoch's row and rewrites the file.
func (c *CSVLogger) OnEpochEnd(_ *Trainer, epoch int, logs Logs) error {
	if c.keys == nil {
		val := false
		for k := range logs {
			if k != "epoch" && k != "time" {
				c.keys = append(c.keys, k)
				val = val || strings.HasPrefix(k, "val_")
			}
		}
		slices.Sort(c.keys)
		if !val {
			for _, k := range slices.Clone(c.keys) {
				c.keys = append(c.keys, "val_"+k)
			}
		}
	}
	var b bytes.Buffer
	b.Write(c.content)
	if c.header {
		b.WriteString(strings.Join(append([]string{"epoch"}, c.keys...), c.Separator) + "\r\n")
		c.header = false
	}
	row := []string{fmt.Sprint(epoch)}
	for _, k := range c.keys {
		v, ok := logs[k]
		if !ok {
			row = append(row, "NA")
			continue
		}
		row = append(row, pyRepr(v))
	}
	b.WriteString(strings.Join(row, c.Separator) + "\r\n")
	if err := writeFileAtomic(c.Filename, b.Bytes()); err != nil {
		return fmt.Errorf("fit: CSVLogger: %w", err)
	}
	c.content = b.Bytes()
	return nil
}
