package io.osapi.app.http;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Sets the JDK server limits ({@link HttpLimits#apply()}) once at the start of the test JVM, as
 * {@code Main} does at process start, so the servers the tests start in process run like the
 * real ones (registered in {@code META-INF/services}).
 */
public final class HttpLimitsAtTestStart implements LauncherSessionListener {
  @Override
  public void launcherSessionOpened(LauncherSession session) {
    HttpLimits.apply();
  }
}
