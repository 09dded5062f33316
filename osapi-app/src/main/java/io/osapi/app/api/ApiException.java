package io.osapi.app.api;

import java.util.Map;

/**
 * A request the API answers with an error status. The message is safe to show to the caller.
 */
public final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final transient Map<String, Object> details;
  private final transient Map<String, String> headers;

  /**
   * @param status the HTTP status
   * @param message one sentence for the caller
   * @param details structured details, possibly empty
   * @param headers extra response headers, possibly empty
   */
  public ApiException(
      int status, String message, Map<String, Object> details, Map<String, String> headers) {
    super(message, null, false, false);
    this.status = status;
    this.details = Map.copyOf(details);
    this.headers = Map.copyOf(headers);
  }

  /** 400 for the input named {@code field}. */
  public static ApiException badRequest(String field, String message) {
    return new ApiException(400, message, Map.of("field", field), Map.of());
  }

  /** 404. */
  public static ApiException notFound(String message) {
    return new ApiException(404, message, Map.of(), Map.of());
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }

  /** Structured details for the body. */
  public Map<String, Object> details() {
    return details;
  }

  /** Extra headers for the response. */
  public Map<String, String> headers() {
    return headers;
  }
}
