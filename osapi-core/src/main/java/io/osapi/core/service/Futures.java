package io.osapi.core.service;

import io.osapi.core.domain.BackendUnavailableException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waiting for the ports' futures, with their failures rethrown as they were raised. */
final class Futures {
  /** How long a single write is waited for. */
  static final Duration WRITE_WAIT = Duration.ofSeconds(30);

  private Futures() {}

  /** Waits up to {@link #WRITE_WAIT} for {@code f}, rethrowing its failure as it was thrown. */
  static <T> T await(CompletableFuture<T> f) {
    return await(f, WRITE_WAIT);
  }

  /** Waits up to {@code wait} for {@code f}, rethrowing its failure as it was thrown. */
  static <T> T await(CompletableFuture<T> f, Duration wait) {
    try {
      return f.get(wait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BackendUnavailableException("interrupted while writing", e);
    } catch (ExecutionException | CompletionException e) {
      Throwable c = unwrap(e);
      if (c instanceof RuntimeException re) {
        throw re;
      }
      throw new BackendUnavailableException("write failed: " + c.getMessage(), c);
    } catch (TimeoutException e) {
      throw new BackendUnavailableException("write timed out", e);
    }
  }

  /** The result of a completed or soon complete read, its failure rethrown as it was raised. */
  static <T> T join(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (CompletionException e) {
      Throwable c = unwrap(e);
      if (c instanceof RuntimeException re) {
        throw re;
      }
      throw new BackendUnavailableException("read failed: " + c.getMessage(), c);
    }
  }

  /** {@code t} without its {@link CompletionException} and {@link ExecutionException} wrappers. */
  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
