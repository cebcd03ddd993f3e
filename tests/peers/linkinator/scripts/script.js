var s = '<a href="uhoh.html">这不是链接</a>';
