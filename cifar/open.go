package cifar

import (
	"context"
	"io"
	"os"
)

// EnvDataset names the environment variable that points at the CIFAR-10
// copy to use when no path is given: a file or folder in any format that
// [Load] reads.
const EnvDataset = "CNNLAB_DATASET"

// Open loads CIFAR-10 the way cnnlab's commands and notebooks do: from path
// if it is not empty, else from $CNNLAB_DATASET if set, else the copy that
// [LoadDefault] finds or downloads (with its progress written to progress,
// which may be nil).
func Open(ctx context.Context, path string, progress io.Writer) (*Data, error) {
	if path == "" {
		path = os.Getenv(EnvDataset)
	}
	if path != "" {
		return Load(path)
	}
	return LoadDefault(ctx, DownloadOptions{Progress: progress})
}
