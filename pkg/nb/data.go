package nb

import (
	"context"
	"os"

	"github.com/cnnlab/cnnlab/cifar"
)

// EnvDataset is the environment variable that names the CIFAR-10 copy the
// notebooks load: a file or folder in any format [cifar.Load] reads (e.g.
// cifar-10-binary.tar.gz or an image-folder .tar.gz).
const EnvDataset = "CNNLAB_DATASET"

// LoadData loads CIFAR-10 for a notebook: the copy named by $CNNLAB_DATASET
// if set, else the cached official release ([cifar.LoadDefault]), downloaded
// on first use with its progress on stderr.
func LoadData() (*cifar.Data, error) {
	if p := os.Getenv(EnvDataset); p != "" {
		return cifar.Load(p)
	}
	return cifar.LoadDefault(context.Background(), cifar.DownloadOptions{Progress: os.Stderr})
}
