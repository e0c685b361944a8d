# Base of the service image for machines with a registry: Debian bookworm with packages.txt, Node 20
# from the official image, user crucible 1000:1000. Offline machines build the same base with
# scripts/build-service-image.sh (debootstrap + the host's Node binary); keep the two in step.
FROM node:20.20-bookworm-slim AS node

FROM debian:bookworm-slim
COPY packages.txt /tmp/packages.txt
RUN apt-get update \
 && apt-get install -y --no-install-recommends $(grep -v '^#' /tmp/packages.txt) \
 && groupadd -g 1000 crucible \
 && useradd -u 1000 -g 1000 -M -d /data -s /usr/sbin/nologin crucible \
 && mkdir -p /app /data && chown 1000:1000 /data \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /tmp/packages.txt \
    /usr/share/doc/* /usr/share/man/* /usr/share/info/* /usr/share/locale/* \
 && find / -xdev -type f -perm /6000 -exec chmod ug-s {} +
COPY --from=node /usr/local/bin/node /usr/local/bin/node
