package dev.vpcie.endpoint.wire;

/**
 * What a wire counted.
 *
 * @param framesIn        frames handed to the device
 * @param framesOut       frames the device sent that the wire took
 * @param droppedIn       frames that arrived but did not reach the device: before {@link Wire#start},
 *                        while the device was too far behind, unfinished offloads that could not be
 *                        completed, truncated frames
 * @param droppedOut      frames the device sent that the wire could not take (no carrier, interface
 *                        down, kernel out of buffers, too large)
 * @param offloadsDone    frames whose checksum the wire completed or super-frames it segmented for
 *                        the device, work the sending host's stack had left to "hardware"
 */
public record WireCounters(long framesIn, long framesOut, long droppedIn, long droppedOut, long offloadsDone) {

    @Override public String toString() {
        return "in " + framesIn + ", out " + framesOut + ", dropped in " + droppedIn + ", dropped out " + droppedOut
                + (offloadsDone > 0 ? ", offloads completed " + offloadsDone : "");
    }
}
