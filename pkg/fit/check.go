package fit

import (
	"fmt"
	"strings"
)

// LogKeys returns the keys of the logs Fit produces every epoch (see
// [Logs]), with or without validation, regularization_loss aside (only
// models with a penalty have it).
func LogKeys(validation bool) []string {
	keys := []string{"loss", "accuracy", "learning_rate"}
	if validation {
		keys = append(keys, "val_loss", "val_accuracy")
	}
	return keys
}

// checker is implemented by the callbacks whose settings CheckCallbacks can
// check before training.
type checker interface {
	check(keys []string) error
}

// CheckCallbacks checks the settings of callbacks before any data is read,
// as their OnTrainBegin would and more: a monitored value must be one of
// keys (see [LogKeys]), and a ModelCheckpoint file template must format
// with them. Callbacks of other types pass. Fit itself only warns, as
// Keras does, when a monitored value is missing.
func CheckCallbacks(cbs []Callback, keys []string) error {
	for i, cb := range cbs {
		if c, ok := cb.(checker); ok {
			if err := c.check(keys); err != nil {
				return fmt.Errorf("%w (callback %d)", err, i)
			}
		}
	}
	return nil
}

// checkMonitored fails when name is not among keys.
func checkMonitored(cb, name string, keys []string) error {
	for _, k := range keys {
		if k == name {
			return nil
		}
	}
	return fmt.Errorf("fit: %s monitors %q, which training does not log (it logs %s)", cb, name, strings.Join(keys, ", "))
}

func (r *ReduceLROnPlateau) check(keys []string) error {
	c := *r // OnTrainBegin resets state: check a copy
	if err := c.OnTrainBegin(nil); err != nil {
		return err
	}
	if !(r.Factor > 0) {
		return fmt.Errorf("fit: ReduceLROnPlateau's factor must be > 0, got %v", r.Factor)
	}
	return checkMonitored("ReduceLROnPlateau", c.Monitor, keys)
}

func (e *EarlyStopping) check(keys []string) error {
	c := *e
	if err := c.OnTrainBegin(nil); err != nil {
		return err
	}
	return checkMonitored("EarlyStopping", c.Monitor, keys)
}

func (m *ModelCheckpoint) check(keys []string) error {
	c := *m
	if err := c.OnTrainBegin(nil); err != nil {
		return err
	}
	values := map[string]any{"epoch": 1}
	for _, k := range keys {
		values[k] = 0.5
	}
	if _, err := FormatPath(m.Filepath, values); err != nil {
		return fmt.Errorf("%w (ModelCheckpoint's filepath)", err)
	}
	if m.SaveBestOnly {
		return checkMonitored("ModelCheckpoint", c.Monitor, keys)
	}
	return nil
}
