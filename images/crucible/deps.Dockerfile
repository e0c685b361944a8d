# The production dependencies of the service image, on top of the base: a layer of its own, tagged by
# the base's and package-lock.json's hashes (scripts/build-service-image.sh), so a source change
# rebuilds only the small app layer (Dockerfile) and never sends node_modules to the engine again.
ARG BASE=crucible/crucible-base:local
FROM ${BASE}
COPY --chown=0:0 node_modules /app/node_modules
