package io.mxgate.importer.postfix;

import java.nio.file.Path;

/**
 * A copy of an admin's {@code /etc/postfix}: the files main.cf names under {@code /etc/postfix} (or under its
 * {@code config_directory}) are read from here, so the directory can be imported from anywhere. Other absolute paths
 * are read where they are.
 */
public record ConfigDir(Path dir, String configDirectory) {

    public static final String ETC_POSTFIX = "/etc/postfix";

    public ConfigDir(Path dir) {
        this(dir, ETC_POSTFIX);
    }

    public ConfigDir withConfigDirectory(String directory) {
        return new ConfigDir(dir, directory);
    }

    /** The file behind a path as main.cf writes it. */
    public Path resolve(String path) {
        for (String prefix : new String[] {configDirectory, ETC_POSTFIX}) {
            String p = prefix.endsWith("/") ? prefix : prefix + "/";
            if (path.startsWith(p)) {
                return dir.resolve(path.substring(p.length()));
            }
        }
        Path given = Path.of(path);
        return given.isAbsolute() ? given : dir.resolve(path);
    }

    public Path mainCf() {
        return dir.resolve("main.cf");
    }

    public Path masterCf() {
        return dir.resolve("master.cf");
    }
}
