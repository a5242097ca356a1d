package cifar

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	// A valid official-format archive built from a tiny synthetic set.
	good := filepath.Join(dir, "tiny.tar.gz")
	var buf bytes.Buffer
	data := &Data{Train: synth(6), Test: synth(2)}
	if err := WriteBinaryArchive(&buf, data); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(good, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.tar.gz")

	// An explicit path wins over the environment.
	t.Setenv(EnvDataset, missing)
	d, err := Open(context.Background(), good, nil)
	if err != nil {
		t.Fatalf("Open(%s): %v", good, err)
	}
	if d.Train.Len() != 6 || d.Test.Len() != 2 {
		t.Errorf("Open(%s): %d train, %d test images; want 6, 2", good, d.Train.Len(), d.Test.Len())
	}
	// Without a path, $CNNLAB_DATASET is used: here it names a missing file,
	// and the error must say which.
	if _, err := Open(context.Background(), "", nil); err == nil || !strings.Contains(err.Error(), "missing.tar.gz") {
		t.Errorf("Open with $%s=%s: got %v, want an error naming the file", EnvDataset, missing, err)
	}
	t.Setenv(EnvDataset, good)
	if d, err := Open(context.Background(), "", nil); err != nil || d.Train.Len() != 6 {
		t.Errorf("Open with $%s=%s: %v", EnvDataset, good, err)
	}
}
