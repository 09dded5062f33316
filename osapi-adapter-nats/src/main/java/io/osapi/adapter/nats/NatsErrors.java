package io.osapi.adapter.nats;

import io.nats.client.JetStreamApiException;
import io.osapi.core.domain.BackendUnavailableException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/** Turns jnats failures into {@link BackendUnavailableException}s with messages free of secrets. */
final class NatsErrors {
  private static final Pattern URL_USERINFO = Pattern.compile("(://)[^/@\\s]*@");

  private NatsErrors() {}

  static BackendUnavailableException unavailable(String what, Throwable e) {
    Throwable c = unwrap(e);
    if (c instanceof BackendUnavailableException b) {
      return b;
    }
    return new BackendUnavailableException("NATS " + what + " failed: " + describe(c), c);
  }

  /**
   * True when a failed request may or may not have taken effect and trying again is safe and
   * useful: no answer in time, no responders (JetStream fail-over), connection trouble. False for
   * a definite refusal by JetStream (an API error such as "wrong last sequence").
   */
  static boolean outcomeUnknown(Throwable e) {
    Throwable c = unwrap(e);
    if (c instanceof JetStreamApiException j) {
      return j.getApiErrorCode() == 10008; // JetStream temporarily unavailable
    }
    return c instanceof TimeoutException
        || c instanceof java.io.IOException
        || c instanceof IllegalStateException
        || c instanceof BackendUnavailableException
        || c instanceof java.util.concurrent.CancellationException;
  }

  static Throwable unwrap(Throwable e) {
    Throwable c = e;
    while ((c instanceof CompletionException || c instanceof ExecutionException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }

  static String describe(Throwable e) {
    if (e instanceof TimeoutException) {
      return "timed out";
    }
    if (e instanceof JetStreamApiException j) {
      return redact(j.getErrorDescription() + " [" + j.getApiErrorCode() + "]");
    }
    String m = e.getMessage();
    return redact(m == null || m.isBlank() ? e.getClass().getSimpleName() : m);
  }

  /** Hides any {@code user:password@} part of URLs in {@code text}. */
  static String redact(String text) {
    return text == null ? null : URL_USERINFO.matcher(text).replaceAll("$1***@");
  }
}
