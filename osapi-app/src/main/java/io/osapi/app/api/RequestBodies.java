package io.osapi.app.api;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * Reads request bodies with a cap: never more than {@code cap + 1} bytes are read, and a declared
 * {@code Content-Length} over the cap is refused before reading anything ({@link BodyBinder} binds
 * what is read).
 */
final class RequestBodies {
  private RequestBodies() {}

  /**
   * The body bytes.
   *
   * @throws ApiException 413 when the body is larger than {@code cap}
   */
  static byte[] read(HttpExchange ex, int cap) throws IOException {
    String declared = ex.getRequestHeaders().getFirst("Content-Length");
    if (declared != null) {
      long n;
      try {
        n = Long.parseLong(declared.trim());
      } catch (NumberFormatException e) {
        throw ApiException.badRequest("Content-Length", "Content-Length is not a number");
      }
      if (n > cap) {
        throw tooLarge(cap);
      }
    }
    try (InputStream in = ex.getRequestBody()) {
      byte[] body = in.readNBytes(cap + 1);
      if (body.length > cap) {
        throw tooLarge(cap);
      }
      return body;
    }
  }

  private static ApiException tooLarge(int cap) {
    return new ApiException(
        413,
        "the request body is larger than " + cap + " bytes",
        Map.of("max_body_bytes", cap),
        Map.of("Connection", "close"));
  }
}
