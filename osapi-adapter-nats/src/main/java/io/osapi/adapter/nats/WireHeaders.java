package io.osapi.adapter.nats;

import io.nats.client.impl.Headers;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The headers of one write, filled once and then {@linkplain #seal() sealed}: read-only from then
 * on, so jnats publishes them as they are. jnats copies every header map it is given that is not
 * read-only into a read-only one before it publishes (a map, a list per value and a length table,
 * for every record, run and notification written); a sealed map is taken without that copy. The
 * same bytes go on the wire. Once sealed, every change is refused ({@link
 * UnsupportedOperationException}): jnats serializes the map on its writer thread, later, and a
 * write that needs other headers (a create over a purge marker) copies them ({@code new
 * Headers(sealed)}) first.
 */
final class WireHeaders extends Headers {
  private boolean sealed;

  /** Makes these headers read-only; returns them. */
  WireHeaders seal() {
    sealed = true;
    return this;
  }

  @Override
  public boolean isReadOnly() {
    return sealed;
  }

  private void open() {
    if (sealed) {
      throw new UnsupportedOperationException("sealed headers: copy them to change them");
    }
  }

  @Override
  public WireHeaders put(String key, String... values) {
    open();
    super.put(key, values);
    return this;
  }

  @Override
  public Headers put(String key, Collection<String> values) {
    open();
    return super.put(key, values);
  }

  @Override
  public Headers put(Map<String, List<String>> map) {
    open();
    return super.put(map);
  }

  @Override
  public Headers add(String key, String... values) {
    open();
    return super.add(key, values);
  }

  @Override
  public Headers add(String key, Collection<String> values) {
    open();
    return super.add(key, values);
  }

  @Override
  public void remove(String... keys) {
    open();
    super.remove(keys);
  }

  @Override
  public void remove(Collection<String> keys) {
    open();
    super.remove(keys);
  }

  @Override
  public void clear() {
    open();
    super.clear();
  }
}
