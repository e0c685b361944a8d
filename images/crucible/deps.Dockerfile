# The production dependencies of the service image, on top of the base: a layer of its own, tagged by
# the base's and package-lock.json's hashes (scripts/build-service-image.sh), so a source change
# rebuilds only the small app layer (Dockerfile) and never sends node_modules to the engine again.
ARG BASE=crucible/crucible-base:local
FROM ${BASE}
# The build context is the cached node_modules folder itself.
COPY --chown=0:0 . /app/node_modules
