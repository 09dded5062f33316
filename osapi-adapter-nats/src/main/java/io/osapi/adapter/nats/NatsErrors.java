package io.osapi.adapter.nats;

import io.nats.client.JetStreamApiException;
import io.osapi.core.domain.BackendUnavailableException;
import io.osapi.core.domain.PermanentStoreException;
import io.osapi.core.domain.StoreFullException;
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
   * {@link #unavailable}, or a {@link StoreFullException} when the server refused the write for
   * want of room: the stream's byte or message bound ({@code maximum bytes exceeded}, an answer
   * of 10077), or the server's or account's storage ({@code insufficient resources} 10023, 10047,
   * 10028, 10002). Such a refusal is definite and answered at once: never retried as an outage.
   *
   * @param bound the stream's byte bound, for the message
   */
  static RuntimeException failure(String what, Throwable e, long bound) {
    JetStreamApiException api = apiError(e);
    if (api == null) {
      return unavailable(what, e);
    }
    int code = api.getApiErrorCode();
    String d = String.valueOf(api.getErrorDescription()).toLowerCase(java.util.Locale.ROOT);
    if (code == 10077 && (d.contains("maximum bytes") || d.contains("maximum messages"))) {
      return new StoreFullException(StoreFullException.Limit.BUCKET, bound,
          "the job store is full: " + what + " was refused by its bound of " + bound + " bytes ("
              + describe(api) + ")");
    }
    if (code == 10023 || code == 10047 || code == 10028 || code == 10002) {
      return new StoreFullException(StoreFullException.Limit.SERVER, bound,
          "the job store is full: " + what + " was refused, the NATS server has no storage left ("
              + describe(api) + ")");
    }
    return unavailable(what, e);
  }

  /**
   * True when a failed request may or may not have taken effect and trying again is safe and
   * useful: no answer in time, no responders (JetStream fail-over), connection trouble. False for
   * a definite refusal by JetStream (an API error such as "wrong last sequence").
   */
  static boolean outcomeUnknown(Throwable e) {
    if (permanent(e)) {
      return false;
    }
    for (Throwable c = e; c != null && c.getCause() != c; c = c.getCause()) {
      if (c instanceof JetStreamApiException j) {
        return j.getApiErrorCode() == 10008; // JetStream temporarily unavailable
      }
      if (c instanceof TimeoutException
          || c instanceof java.io.IOException
          || c instanceof IllegalStateException
          || c instanceof BackendUnavailableException
          || c instanceof java.util.concurrent.CancellationException) {
        return true;
      }
    }
    return false;
  }

  /** JetStream's code for a message larger than the stream's max message size. */
  static final int MESSAGE_TOO_LARGE = 10054;

  /**
   * True when the request itself is what NATS refuses, so sending it again will fail the same
   * way: jnats refused it before sending (a subject or key that is not valid, a payload over the
   * server's max payload: {@link IllegalArgumentException}), or JetStream answered that the
   * message is larger than the stream takes. Never true for an outage.
   */
  static boolean permanent(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof IllegalArgumentException || c instanceof PermanentStoreException) {
        return true;
      }
      if (c instanceof JetStreamApiException j) {
        return j.getApiErrorCode() == MESSAGE_TOO_LARGE;
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return false;
  }

  /** {@code e} as the {@link PermanentStoreException} of {@code what}. */
  static PermanentStoreException refused(String what, Throwable e) {
    Throwable c = unwrap(e);
    if (c instanceof PermanentStoreException p) {
      return p;
    }
    return new PermanentStoreException("NATS refused " + what + ": " + describe(c), c);
  }

  /**
   * The JetStream API error somewhere in {@code e}'s causes, or null: jnats wraps the error of an
   * asynchronous publish in a {@code RuntimeException} inside the future's {@code
   * CompletionException}.
   */
  static JetStreamApiException apiError(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof JetStreamApiException j) {
        return j;
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return null;
  }

  /** The API error code in {@code e}'s causes, or 0 when there is none. */
  static int apiErrorCode(Throwable e) {
    JetStreamApiException j = apiError(e);
    return j == null ? 0 : j.getApiErrorCode();
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
    JetStreamApiException api = apiError(e);
    if (api != null) {
      e = api;
    }
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
