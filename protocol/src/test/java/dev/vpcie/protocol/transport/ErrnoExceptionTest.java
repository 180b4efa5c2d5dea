package dev.vpcie.protocol.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ErrnoExceptionTest {
    @Test
    void namesTheCallTheErrnoAndTheHint() {
        var e = new ErrnoException("AF_PACKET socket needs root (CAP_NET_RAW)", "socket(AF_PACKET, SOCK_RAW)", Errno.EPERM);
        assertEquals("AF_PACKET socket needs root (CAP_NET_RAW): socket(AF_PACKET, SOCK_RAW): EPERM (Operation not permitted)", e.getMessage());
        assertEquals("EPERM", e.errnoName());
        assertEquals(1, e.errno());
        assertEquals("socket(AF_PACKET, SOCK_RAW)", e.call());
    }

    @Test
    void anErrnoOutsideTheTableIsStillNamedByNumber() {
        assertEquals("ioctl(X): errno 200 (unknown error)", new ErrnoException("ioctl(X)", 200).getMessage());
        assertEquals("errno -1", Errno.name(-1));
        assertEquals("ENODEV", Errno.name(Errno.ENODEV));
    }
}
