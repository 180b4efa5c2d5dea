package dev.vpcie.vrc.lspci;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Vendor, device, subsystem and class names in the pci.ids format, looked up the way pciutils
 * does (unknown names fall back to "Device xxxx" and friends). Debian's
 * {@code /usr/share/misc/pci.ids} is used when present; otherwise a small built-in table covers
 * the devices this project emulates.
 */
public final class PciIds {
    public static final Path SYSTEM_FILE = Path.of("/usr/share/misc/pci.ids");

    /** The few names we need when the system has no pci.ids (same format). */
    static final String BUILT_IN = """
            1af4  Red Hat, Inc.
            \t10f0  vpcie DMA test device
            8086  Intel Corporation
            \t100e  82540EM Gigabit Ethernet Controller
            \t\t8086 001e  PRO/1000 MT Desktop Adapter
            \t10c9  82576 Gigabit Network Connection
            \t\t8086 a03c  Gigabit ET Dual Port Server Adapter
            C 00  Unclassified device
            \t00  Non-VGA unclassified device
            C 01  Mass storage controller
            C 02  Network controller
            \t00  Ethernet controller
            \t80  Network controller
            C 05  Memory controller
            \t80  Memory controller
            C 08  Generic system peripheral
            \t80  System peripheral
            C 11  Signal processing controller
            \t80  Signal processing controller
            C ff  Unassigned class
            """;

    /** How IDs are shown, as lspci's {@code -n} options choose. */
    public enum Naming {
        /** Names only (lspci). */
        NAMES,
        /** Numbers only (lspci -n). */
        NUMERIC,
        /** Names with the numbers after them in brackets (lspci -nn). */
        BOTH
    }

    private final Map<Integer, String> vendors;
    private final Map<Long, String> devices;
    private final Map<Long, String> subsystems;
    private final Map<Integer, String> classes;
    private final Map<Integer, String> progIfs;
    private final Naming naming;

    private PciIds() {
        this.vendors = new HashMap<>();
        this.devices = new HashMap<>();
        this.subsystems = new HashMap<>();
        this.classes = new HashMap<>();
        this.progIfs = new HashMap<>();
        this.naming = Naming.NAMES;
    }

    private PciIds(PciIds names, Naming naming) {
        this.vendors = names.vendors;
        this.devices = names.devices;
        this.subsystems = names.subsystems;
        this.classes = names.classes;
        this.progIfs = names.progIfs;
        this.naming = naming;
    }

    public Naming naming() { return naming; }

    /** The same names, shown as {@code naming} says. */
    public PciIds withNaming(Naming naming) { return new PciIds(this, naming); }

    /** The plain name of a vendor, or null (lspci -m prints it alone). */
    public String vendorName(int vendor) { return naming == Naming.NUMERIC ? null : vendors.get(vendor); }

    /** The plain name of a device, or null. */
    public String deviceName(int vendor, int device) { return naming == Naming.NUMERIC ? null : devices.get((long) vendor << 16 | device); }

    /** The plain name of a subsystem (or the device's, when the subsystem IDs repeat them), or null. */
    public String subsystemName(int vendor, int device, int subVendor, int subDevice) {
        if (naming == Naming.NUMERIC) return null;
        String s = subsystems.get((long) vendor << 48 | (long) device << 32 | (long) subVendor << 16 | subDevice);
        if (s == null && subVendor == vendor && subDevice == device) s = devices.get((long) vendor << 16 | device);
        return s;
    }

    /** The plain name of a class (the subclass, else the base class), or null. */
    public String classNameOnly(int baseClass, int subClass) {
        if (naming == Naming.NUMERIC) return null;
        String s = classes.get(baseClass << 8 | subClass);
        return s != null ? s : classes.get(baseClass << 8 | 0xFFFF_0000);
    }

    /** The system's pci.ids if readable, else the built-in table. */
    public static PciIds load() {
        if (Files.isReadable(SYSTEM_FILE)) {
            try {
                return parse(Files.readString(SYSTEM_FILE, java.nio.charset.StandardCharsets.ISO_8859_1));
            } catch (IOException e) {
                return builtIn();
            }
        }
        return builtIn();
    }

    public static PciIds builtIn() { return parse(BUILT_IN); }

    public static PciIds parse(String text) {
        PciIds ids = new PciIds();
        int vendor = -1, device = -1, cls = -1, sub = -1;
        boolean inClasses = false;
        try (BufferedReader r = new BufferedReader(new StringReader(text))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isEmpty() || line.startsWith("#")) continue;
                if (line.startsWith("C ")) {
                    inClasses = true;
                    cls = Integer.parseInt(line.substring(2, 4), 16);
                    ids.classes.put(cls << 8 | 0xFFFF_0000, name(line, 4));
                    continue;
                }
                if (!line.startsWith("\t")) {
                    inClasses = false;
                    if (line.length() < 4 || !isHex(line.substring(0, 4))) { vendor = -1; continue; } // other sections
                    vendor = Integer.parseInt(line.substring(0, 4), 16);
                    ids.vendors.put(vendor, name(line, 4));
                    continue;
                }
                if (line.startsWith("\t\t")) {
                    String body = line.substring(2);
                    if (inClasses && cls >= 0 && sub >= 0 && body.length() >= 2 && isHex(body.substring(0, 2))) {
                        ids.progIfs.put(cls << 16 | sub << 8 | Integer.parseInt(body.substring(0, 2), 16), name(body, 2));
                    } else if (!inClasses && vendor >= 0 && device >= 0 && body.length() >= 9 && isHex(body.substring(0, 4))
                            && isHex(body.substring(5, 9))) {
                        long key = (long) vendor << 48 | (long) device << 32 | Long.parseLong(body.substring(0, 4), 16) << 16
                                | Long.parseLong(body.substring(5, 9), 16);
                        ids.subsystems.put(key, name(body, 9));
                    }
                    continue;
                }
                String body = line.substring(1);
                if (inClasses && cls >= 0 && body.length() >= 2 && isHex(body.substring(0, 2))) {
                    sub = Integer.parseInt(body.substring(0, 2), 16);
                    ids.classes.put(cls << 8 | sub, name(body, 2));
                } else if (!inClasses && vendor >= 0 && body.length() >= 4 && isHex(body.substring(0, 4))) {
                    device = Integer.parseInt(body.substring(0, 4), 16);
                    ids.devices.put((long) vendor << 16 | device, name(body, 4));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return ids;
    }

    private static boolean isHex(String s) {
        for (int i = 0; i < s.length(); i++) if (Character.digit(s.charAt(i), 16) < 0) return false;
        return true;
    }

    private static String name(String line, int from) { return line.substring(from).trim(); }

    /** "Intel Corporation 82576 Gigabit Network Connection", or the numeric fallbacks pciutils prints. */
    public String device(int vendor, int device) {
        return pair(vendorName(vendor), deviceName(vendor, device), hex4(vendor) + ":" + hex4(device));
    }

    /** The Subsystem line's text. */
    public String subsystem(int vendor, int device, int subVendor, int subDevice) {
        return pair(vendorName(subVendor), subsystemName(vendor, device, subVendor, subDevice), hex4(subVendor) + ":" + hex4(subDevice));
    }

    /** A vendor and a device name with their numbers, as pciutils' format_name_pair writes them. */
    private String pair(String v, String d, String num) {
        return switch (naming) {
            case NUMERIC -> num;
            case BOTH -> v != null && d != null ? v + " " + d + " [" + num + "]" : v == null ? "Device [" + num + "]" : v + " Device [" + num + "]";
            case NAMES -> v != null && d != null ? v + " " + d : v == null ? "Device " + num : v + " Device " + num.substring(5);
        };
    }

    /** "Ethernet controller", falling back to the base class name, then "Class xxxx". */
    public String className(int baseClass, int subClass) {
        String num = hex4(baseClass << 8 | subClass);
        if (naming == Naming.NUMERIC) return num;
        String s = classes.get(baseClass << 8 | subClass);
        if (s != null) return naming == Naming.BOTH ? s + " [" + num + "]" : s;
        s = classes.get(baseClass << 8 | 0xFFFF_0000);
        if (s != null) return s + " [" + num + "]";
        return naming == Naming.BOTH ? "Class [" + num + "]" : "Class " + num;
    }

    public String progIf(int baseClass, int subClass, int progIf) {
        return progIfs.get(baseClass << 16 | subClass << 8 | progIf);
    }

    private static String hex4(int v) { return String.format("%04x", v); }
}
