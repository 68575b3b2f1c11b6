# The numberdesk binary in a small image.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /numberdesk ./cmd/numberdesk

FROM gcr.io/distroless/static-debian12
COPY --from=build /numberdesk /usr/local/bin/numberdesk
USER nonroot
ENTRYPOINT []
