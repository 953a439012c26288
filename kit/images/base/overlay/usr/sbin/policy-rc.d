#!/bin/sh
# no daemons are started by package installs inside an image
exit 101
