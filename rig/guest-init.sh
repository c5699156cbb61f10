#!/bin/sh
# /init of the rig's guest: load the modules, mount the host's root file system read-only over 9p,
# chroot into it with a writable 9p share at /dev/rig-out, run the job the host left there, power off.
# Nothing is mounted over the host's /tmp, so a project checked out under /tmp stays visible; scratch
# space is the guest's devtmpfs (/dev/rig-tmp).
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs dev /dev
while read -r m; do insmod "/mods/$m" 2>/dev/null || echo "rig-init: insmod $m failed"; done < /mods/order
opts=trans=virtio,version=9p2000.L,msize=524288
if mount -t 9p -o "$opts,ro" hostroot /host; then
  mount -t proc proc /host/proc
  mount -t sysfs sysfs /host/sys
  mount -t devtmpfs dev /host/dev
  mkdir -p /host/dev/rig-out /host/dev/rig-tmp
  mount -t 9p -o "$opts" rigout /host/dev/rig-out
  chroot /host /bin/sh /dev/rig-out/guest-job.sh > /host/dev/rig-out/guest.log 2>&1
  echo "rig-init: job exit=$?"
  sync
  umount /host/dev/rig-out
else
  echo "rig-init: cannot mount the host root over 9p"
fi
poweroff -f
