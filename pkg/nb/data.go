package nb

import (
	"context"
	"os"

	"github.com/cnnlab/cnnlab/cifar"
)

// LoadData loads CIFAR-10 for a notebook with [cifar.Open]: the copy named
// by $CNNLAB_DATASET if set (any format cifar.Load reads, e.g.
// cifar-10-binary.tar.gz or an image-folder .tar.gz), else the cached
// official release, downloaded on first use with its progress on stderr.
func LoadData() (*cifar.Data, error) {
	return cifar.Open(context.Background(), "", os.Stderr)
}
