package io.osapi.app.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.osapi.app.api.ApiJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small blocking HTTP client for the end-to-end tests. */
final class Http {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private Http() {}

  /** The response, or null when nothing listens. */
  static HttpResponse<String> send(String method, URI uri, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json");
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body));
    try {
      return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static HttpResponse<String> get(URI uri) {
    return send("GET", uri, null);
  }

  static int status(URI uri) {
    HttpResponse<String> r = get(uri);
    return r == null ? 0 : r.statusCode();
  }

  static JsonNode json(HttpResponse<String> r) {
    try {
      return ApiJson.mapper().readTree(r.body());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + r.body(), e);
    }
  }
}
