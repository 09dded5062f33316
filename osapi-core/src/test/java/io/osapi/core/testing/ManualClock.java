package io.osapi.core.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** A UTC clock that moves only when the test tells it to, to the millisecond; thread-safe. */
public final class ManualClock extends Clock {
  private final AtomicLong millis;

  /** A clock at {@code epochMillis}. */
  public ManualClock(long epochMillis) {
    millis = new AtomicLong(epochMillis);
  }

  /** A clock at {@code start} (to the millisecond). */
  public ManualClock(Instant start) {
    this(start.toEpochMilli());
  }

  /** Moves the clock on by {@code d}. */
  public void advance(Duration d) {
    millis.addAndGet(d.toMillis());
  }

  /** Sets the clock to {@code epochMillis}. */
  public void setMillis(long epochMillis) {
    millis.set(epochMillis);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis.get());
  }

  @Override
  public long millis() {
    return millis.get();
  }
}
