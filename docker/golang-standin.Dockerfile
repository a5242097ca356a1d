# A local stand-in for Docker Hub's golang:1.27-bookworm, for machines that
# cannot reach Docker Hub (docker/build-local.sh builds it and tags it
# localhost/golang:1.27-bookworm, so that docker/Dockerfile's
# `FROM golang:1.27-bookworm` resolves with --pull=never). It copies what the
# official image provides and the project relies on: Debian bookworm, Go in
# /usr/local/go, GOPATH=/go (mode 1777), GOTOOLCHAIN=local, gcc, libc6-dev,
# make, pkg-config, git, curl, ca-certificates.
#
# Context (made by build-local.sh): certs/ holds the host's extra CA
# certificates (a TLS-intercepting proxy's; empty elsewhere), copied in
# before ca-certificates is installed; go/ is a Go 1.27.3 GOROOT (the
# golang.org/toolchain module the go command fetched on the host).
FROM localhost/bookworm-base

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

COPY certs/ /usr/local/share/ca-certificates/
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        ca-certificates curl git gcc libc6-dev make pkg-config netbase procps \
    && rm -rf /var/lib/apt/lists/*

COPY go/ /usr/local/go/

ENV GOLANG_VERSION=1.27.3 \
    GOTOOLCHAIN=local \
    GOPATH=/go \
    PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN mkdir -p /go/src /go/bin && chmod -R 1777 /go && go version
WORKDIR /go
