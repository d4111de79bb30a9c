package io.mxgate.core.table;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * A table that follows its file, as an admin expects after editing and running {@code postmap}: {@link #reload}
 * (blocking; call it off the event loop, e.g. every few seconds) loads the file again when its modification time
 * or size changed, and swaps it in whole. A file that no longer parses leaves the last good table in place. Works
 * with Kubernetes ConfigMap volumes, whose updates replace a symlink (the time is read through it).
 */
public final class ReloadingTable<T> {

    private record Loaded<T>(T table, FileTime modified, long size) {
    }

    private final String name;
    private final Path file;
    private final Function<String, T> loader;
    private final AtomicReference<Loaded<T>> current = new AtomicReference<>();

    /** Loads the table now; a missing or malformed file fails here, at startup. */
    public ReloadingTable(String name, Function<String, T> loader) {
        this.name = name;
        this.file = Path.of(PostfixTable.pathOf(name));
        this.loader = loader;
        current.set(load());
    }

    public T get() {
        return current.get().table();
    }

    public String name() {
        return name;
    }

    /**
     * Loads the file again if it changed. Returns null when nothing changed or the new version was taken, and the
     * error when the new version is unusable (the old one stays).
     */
    public RuntimeException reload() {
        try {
            Loaded<T> old = current.get();
            if (Files.getLastModifiedTime(file).equals(old.modified()) && Files.size(file) == old.size()) {
                return null;
            }
            current.set(load());
            return null;
        } catch (IOException | RuntimeException e) {
            return e instanceof RuntimeException r ? r : new PostfixTable.TableException(name + ": " + e.getMessage());
        }
    }

    private Loaded<T> load() {
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            long size = Files.size(file);
            return new Loaded<>(loader.apply(file.toString()), modified, size);
        } catch (IOException e) {
            throw new PostfixTable.TableException(name + ": cannot read " + file + ": " + e.getMessage());
        }
    }
}
