package io.osapi.adapter.otel;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The outcome of one scrape: either a rendered exposition ({@link #ok()}: content type and body) or
 * a failure with a short message ({@link #error()} not null), which the HTTP layer turns into a 500
 * response with that message as {@code text/plain}.
 *
 * <p>The body array is not copied: treat it as read-only.
 *
 * @param contentType the content type of {@code body}
 * @param body the bytes to send
 * @param error null on success, else a short message saying what failed
 */
public record ScrapeResult(String contentType, byte[] body, String error) {

  /** The content type of failure bodies. */
  public static final String TEXT_PLAIN = "text/plain; charset=utf-8";

  /** Checks the parts. */
  public ScrapeResult {
    Objects.requireNonNull(contentType, "contentType");
    Objects.requireNonNull(body, "body");
  }

  /** A rendered exposition. */
  public static ScrapeResult success(String contentType, byte[] body) {
    return new ScrapeResult(contentType, body, null);
  }

  /** A failed scrape; the body is the message. */
  public static ScrapeResult failure(String message) {
    String m = message == null || message.isBlank() ? "metrics collection failed" : message;
    return new ScrapeResult(TEXT_PLAIN, (m + "\n").getBytes(StandardCharsets.UTF_8), m);
  }

  /** Whether the scrape succeeded. */
  public boolean ok() {
    return error == null;
  }

  /** The body as UTF-8 text (for tests and logs). */
  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "ScrapeResult[contentType="
        + contentType
        + ", bytes="
        + body.length
        + (error == null ? "" : ", error=" + error)
        + "]";
  }
}
