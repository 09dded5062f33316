package io.osapi.app.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The OpenAPI document of the REST API, {@code docs/openapi.yaml}, which the build copies into the
 * jar next to this class: the one source of truth, served as it is at {@code GET
 * /api/v1/openapi.yaml}.
 */
final class OpenApiDocument {
  /** The media type it is served with (RFC 9512). */
  static final String CONTENT_TYPE = "application/yaml";

  /** The resource name, next to this class. */
  static final String RESOURCE = "openapi.yaml";

  private OpenApiDocument() {}

  /** The document's bytes (read once; the caller must not change the array). */
  static byte[] bytes() {
    if (Holder.BYTES == null) {
      throw new IllegalStateException(RESOURCE + " is missing from the jar (docs/openapi.yaml is"
          + " copied there by the build)");
    }
    return Holder.BYTES;
  }

  private static final class Holder {
    static final byte[] BYTES = read();

    private static byte[] read() {
      try (InputStream in = OpenApiDocument.class.getResourceAsStream(RESOURCE)) {
        return in == null ? null : in.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + RESOURCE, e);
      }
    }
  }
}
