package nb

import (
	"os"
	"strings"

	"github.com/cnnlab/cnnlab/pkg/backend"
)

// EnvFull is the environment variable that makes [Full] true: set
// CNNLAB_FULL=1 to run the notebooks at the course's full size on any
// backend.
const EnvFull = "CNNLAB_FULL"

// Full reports whether notebooks should train at the course's full size
// (all 50,000 images, the full-width models, many epochs): when $CNNLAB_FULL
// is "1", or when the backend runs on a GPU (XLA with CUDA). Otherwise they
// run a quick version sized for a laptop CPU. CNNLAB_FULL=0 forces the
// quick version.
func Full() bool {
	switch os.Getenv(EnvFull) {
	case "1":
		return true
	case "0":
		return false
	}
	_, info, err := backend.New()
	return err == nil && strings.Contains(info.Config, "cuda")
}
