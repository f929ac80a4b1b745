#!/bin/sh
# A script that generates its Dockerfile: the Dockerfile that is built is never a file you can lint (OB301).
set -eu
BASE=${BASE:-debian:bookworm}
cat > Dockerfile.generated <<EOF
FROM $BASE
RUN apt-get update && apt-get install -y $PACKAGES
EOF
docker build -f Dockerfile.generated .
