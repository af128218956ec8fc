/**
 * The little script every page loads. It only enhances: every page works without it.
 * - [data-select-page] header checkbox toggles the row checkboxes of its table.
 * - [data-selection-toolbar] appears when accounts are selected and shows the count; each change of
 *   the boxes fires selection-changed on #selection-form, which htmx sends to the server's draft.
 * - [data-dropzone] turns a file input's wrapper into a drag-and-drop target.
 * - [data-autosubmit] submits its form when changed (filters).
 * - [data-confirm] asks before submitting.
 * - .error-summary (a server-side refusal) takes focus on load, so it is read out and in view.
 * - after htmx swaps the item builder in place, focus goes to the product just added, or to the
 *   product drop-down after a Remove (the button pressed is gone).
 */
export const appScript = `
(function(){
  function rows(scope){return Array.prototype.slice.call((scope||document).querySelectorAll('input[data-select-row]'));}
  function bar(){return document.querySelector('[data-selection-toolbar]');}
  // The server keeps the draft selection; the count shown is the draft's other pages plus this page's boxes.
  function syncToolbar(){
    var b=bar();
    if(!b)return;
    var checked=rows().filter(function(x){return x.checked;}).length;
    var all=b.getAttribute('data-all-selected')==='true';
    var total=(parseInt(b.getAttribute('data-other-count')||'0',10)||0)+checked;
    b.hidden=!(total>0||all);
    var skip=document.querySelector('[data-skip-toolbar]');if(skip)skip.hidden=b.hidden;
    var count=b.querySelector('[data-selection-count]');
    if(count)count.textContent=all?(b.getAttribute('data-all-label')||''):total+(total===1?' account selected':' accounts selected');
    var sa=b.querySelector('[data-select-all]');if(sa)sa.hidden=all;
    var cl=b.querySelector('[data-clear-selection]');if(cl)cl.hidden=!(all||total>0);
    var head=document.querySelector('input[data-select-page]');
    if(head){var r=rows();head.checked=r.length>0&&r.every(function(x){return x.checked;});head.indeterminate=checked>0&&!head.checked;}
  }
  function tellServer(){var f=document.getElementById('selection-form');if(f)f.dispatchEvent(new CustomEvent('selection-changed'));}
  document.addEventListener('change',function(e){
    var t=e.target;
    if(t&&t.matches&&t.matches('input[data-select-page]')){rows().forEach(function(x){x.checked=t.checked;});}
    if(t&&t.matches&&(t.matches('input[data-select-page]')||t.matches('input[data-select-row]'))){
      var b=bar();
      if(b&&b.getAttribute('data-all-selected')==='true'&&!t.checked){b.setAttribute('data-all-selected','false');var m=b.querySelector('input[name=all]');if(m)m.value='';}
      syncToolbar();
      tellServer();
    }
    if(t&&t.closest&&t.closest('[data-autosubmit]')&&t.form){if(t.form.requestSubmit)t.form.requestSubmit();else t.form.submit();}
  });
  function setAll(on){
    var b=bar();if(!b)return;
    b.setAttribute('data-all-selected',on?'true':'false');
    var m=b.querySelector('input[name=all]');if(m)m.value=on?'1':'';
    rows().forEach(function(x){x.checked=on;});
    if(!on){
      // Clearing forgets the draft too: the next box checked starts a new one.
      b.setAttribute('data-other-count','0');
      var d=document.getElementById('draft-selection');if(d)d.value='';
      var u=new URL(window.location.href);u.searchParams.delete('selection');u.searchParams.delete('all');history.replaceState(history.state,'',u.pathname+u.search);
    }
    syncToolbar();
  }
  document.addEventListener('click',function(e){
    var t=e.target&&e.target.closest?e.target.closest('[data-select-all],[data-clear-selection]'):null;
    if(!t)return;
    e.preventDefault();
    setAll(t.hasAttribute('data-select-all'));
    var focus=document.querySelector(t.hasAttribute('data-select-all')?'[data-clear-selection]':'input[data-select-page]');if(focus)focus.focus();
  });
  document.addEventListener('submit',function(e){
    var f=e.target;var msg=f&&f.getAttribute&&f.getAttribute('data-confirm');
    if(msg&&!window.confirm(msg))e.preventDefault();
  });
  function dropzones(){
    Array.prototype.slice.call(document.querySelectorAll('[data-dropzone]')).forEach(function(z){
      if(z.__rb)return;z.__rb=true;
      var input=z.querySelector('input[type=file]');var label=z.querySelector('[data-file-name]');
      function show(){if(label&&input&&input.files&&input.files[0])label.textContent=input.files[0].name;}
      if(input)input.addEventListener('change',show);
      z.addEventListener('dragover',function(e){e.preventDefault();z.classList.add('over');});
      z.addEventListener('dragleave',function(){z.classList.remove('over');});
      z.addEventListener('drop',function(e){e.preventDefault();z.classList.remove('over');if(input&&e.dataTransfer&&e.dataTransfer.files.length){input.files=e.dataTransfer.files;show();}});
    });
  }
  function init(){syncToolbar();dropzones();}
  document.addEventListener('DOMContentLoaded',init);
  document.addEventListener('htmx:afterSettle',init);
})();
// [data-reveal-after-file=ID] stays hidden until the file input ID has a file (chosen or dropped).
(function(){
  function sync(){Array.prototype.slice.call(document.querySelectorAll('[data-reveal-after-file]')).forEach(function(el){var input=document.getElementById(el.getAttribute('data-reveal-after-file'));if(input)el.hidden=!(input.files&&input.files.length);});}
  document.addEventListener('DOMContentLoaded',sync);
  document.addEventListener('change',sync);
  document.addEventListener('drop',function(){setTimeout(sync,0);});
})();
// Phones: Menu opens and closes the navigation (without this script it is always open).
(function(){
  document.documentElement.classList.add('js');
  document.addEventListener('click',function(e){
    var b=e.target&&e.target.closest?e.target.closest('[data-menu-toggle]'):null;if(!b)return;
    var bar=b.closest('.topbar');var open=!bar.classList.contains('open');
    bar.classList.toggle('open',open);b.setAttribute('aria-expanded',open?'true':'false');
  });
})();
// A table wider than the screen scrolls sideways: its wrapper then takes focus, so the keyboard can scroll it.
(function(){
  function mark(){Array.prototype.slice.call(document.querySelectorAll('.table-wrap')).forEach(function(w){
    if(w.scrollWidth>w.clientWidth+1){w.setAttribute('tabindex','0');w.setAttribute('role','region');var c=w.querySelector('caption');w.setAttribute('aria-label',c&&c.textContent.trim()?c.textContent.trim():'Table (scrolls sideways)');}
    else if(w.getAttribute('tabindex')==='0'){w.removeAttribute('tabindex');w.removeAttribute('role');w.removeAttribute('aria-label');}
  });}
  document.addEventListener('DOMContentLoaded',mark);
  window.addEventListener('resize',mark);
  document.addEventListener('htmx:afterSettle',mark);
})();
(function(){
  document.addEventListener('DOMContentLoaded',function(){var s=document.querySelector('.error-summary');if(s)s.focus();});
  document.addEventListener('htmx:afterSwap',function(e){
    var cfg=e.detail&&e.detail.requestConfig;var elt=cfg&&cfg.elt;
    if(!elt||!document.getElementById('items')||elt.getAttribute('hx-target')!=='#items')return;
    var target=null;
    if(elt.value==='add'){var items=document.querySelectorAll('#items fieldset.item');var last=items[items.length-1];target=last&&last.querySelector('input:not([type=hidden])');}
    if(!target)target=document.getElementById('addProductId');
    if(target)target.focus({preventScroll:false});
  });
})();
`;
