package fit

import (
	"strings"
	"testing"
)

func TestCheckCallbacks(t *testing.T) {
	reduce := func(monitor string, factor float64) Callback {
		r := NewReduceLROnPlateau()
		r.Monitor, r.Factor = monitor, factor
		return r
	}
	stop := func(monitor string, mode Mode) Callback {
		e := NewEarlyStopping()
		e.Monitor, e.Mode = monitor, mode
		return e
	}
	ckpt := func(path, monitor string, bestOnly bool) Callback {
		c := NewModelCheckpoint(path)
		c.Monitor, c.SaveBestOnly = monitor, bestOnly
		return c
	}
	tests := []struct {
		name       string
		cb         Callback
		validation bool
		want       string // "" for no error
	}{
		{"reduce on val_loss", reduce("val_loss", 0.5), true, ""},
		{"reduce on val_loss without validation", reduce("val_loss", 0.5), false, `ReduceLROnPlateau monitors "val_loss", which training does not log (it logs loss, accuracy, learning_rate)`},
		{"reduce factor 1", reduce("loss", 1), false, "factor >= 1.0"},
		{"reduce factor 0", reduce("loss", 0), false, "factor must be > 0"},
		{"stop on a typo", stop("val_acc", Max), true, `EarlyStopping monitors "val_acc"`},
		{"stop on an unknown direction", stop("learning_rate", Auto), true, "cannot tell whether"},
		{"stop bad mode", stop("loss", "up"), true, `unknown mode "up"`},
		{"checkpoint template", ckpt("w.{epoch:02d}-{val_loss:.2f}.ckpt", "val_loss", false), true, ""},
		{"checkpoint template without validation", ckpt("w.{epoch:02d}-{val_loss:.2f}.ckpt", "loss", false), false, `no value named "val_loss"`},
		{"checkpoint bad spec", ckpt("w.{epoch:q}.ckpt", "loss", false), false, "{epoch:q}"},
		{"checkpoint h5", ckpt("w.h5", "loss", false), false, "cannot write .h5"},
		{"checkpoint best on a missing value", ckpt("w.ckpt", "val_loss", true), false, `ModelCheckpoint monitors "val_loss"`},
		{"other callbacks pass", CallbackFunc(func(*Trainer, int, Logs) error { return nil }), false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckCallbacks([]Callback{tt.cb}, LogKeys(tt.validation))
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("CheckCallbacks: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("CheckCallbacks: %v, want an error with %q", err, tt.want)
			}
		})
	}
}
